"""Reads for the executive's reports: the features economy and the monthly report."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from funding.selectors import allocations_of_quarter, spend_by_value_stream, spend_rows
from funding.selectors.actuals import cost_reconciliation
from funding.selectors.history import allocations_history
from kanban.selectors import epics_done_between, governance_flow_days, last_value_release, no_value_days
from okrs.scoring import band_label, score_band
from okrs.selectors import key_results_history, key_results_of_quarter
from portfolio.models import MMP, BenefitHypothesis, BenefitKind, Epic, EpicState, MMPStatus, Quarter, ValueStream
from portfolio.money import cents_to_decimal
from portfolio.selectors.benefits import benefit_monthly_series
from portfolio.selectors.history import epics_history
from vmo.exports import Table
from vmo.selectors.overview import overview_rows, with_bands
from vmo.selectors.people import customer_feedback_of_month, impediments_of_month
from vmo.selectors.value import value_rows

# --- features economy: value (cost of delay) against cost ------------------------------------

QUADRANTS = {
    1: ("high_value_low_cost", "High value, low cost: do first"),
    2: ("high_value_high_cost", "High value, high cost: slice smaller"),
    3: ("low_value_low_cost", "Low value, low cost: fill gaps"),
    4: ("low_value_high_cost", "Low value, high cost: challenge"),
}


@dataclass(frozen=True)
class Economy:
    """Open epics with a cost estimate and some measure of value, in quadrants.

    Value is in money where the epic carries it (`value_basis`): "benefit" (its planned money
    benefits, per year) or "cd3" (its cost of delay per week, x 52: what a year of delay
    forgoes); otherwise "wsjf" (cost of delay in relative WSJF points). Each basis is split at
    its own mean (money against money, points against points); cost is split at the mean
    estimate of all plotted epics.
    """

    epics: list[Epic]
    value_split: float | None
    money_split_cents: int | None
    cost_split_cents: int | None
    unplotted: int

    @property
    def low_value_high_cost(self) -> list[Epic]:
        return [epic for epic in self.epics if epic.quadrant == 4]

    @property
    def money_valued(self) -> int:
        return sum(1 for epic in self.epics if epic.value_basis != "wsjf")


def _benefit_monthly():
    """The sum of an epic's money benefits per month (a correlated subquery)."""
    return Subquery(
        BenefitHypothesis.objects.filter(epic=OuterRef("pk"), kind=BenefitKind.MONEY)
        .order_by()
        .values("epic")
        .annotate(total=Sum("monthly_amount_cents"))
        .values("total"),
        output_field=BigIntegerField(),
    )


def epic_economy(*, value_stream: ValueStream | None = None) -> Economy:
    """Open epics (not done, not pursued) with an estimated cost and a value (money or WSJF),
    each in a quadrant, high value / low cost first. Four queries whatever the number of epics."""
    candidates = Epic.objects.exclude(state__in=[EpicState.DONE, EpicState.NOT_PURSUED])
    if value_stream is not None:
        candidates = candidates.filter(value_stream=value_stream)
    valued = candidates.annotate(benefit_monthly_cents=_benefit_monthly()).annotate(
        money_value_cents=Case(
            When(benefit_monthly_cents__gt=0, then=F("benefit_monthly_cents") * 12),
            When(cost_of_delay_per_week_cents__isnull=False, then=F("cost_of_delay_per_week_cents") * 52),
            default=Value(None),
            output_field=BigIntegerField(),
        ),
        value_basis=Case(
            When(benefit_monthly_cents__gt=0, then=Value("benefit")),
            When(cost_of_delay_per_week_cents__isnull=False, then=Value("cd3")),
            default=Value("wsjf"),
            output_field=CharField(),
        ),
    )
    plotted = valued.filter(estimated_cost_cents__isnull=False).filter(
        Q(money_value_cents__isnull=False) | Q(cost_of_delay__isnull=False)
    )
    splits = plotted.aggregate(
        value=Avg("cost_of_delay", filter=Q(money_value_cents__isnull=True)),
        money=Avg("money_value_cents"),
        cost=Avg("estimated_cost_cents"),
    )
    unplotted = candidates.count() - plotted.count()
    if splits["cost"] is None:
        return Economy(epics=[], value_split=None, money_split_cents=None, cost_split_cents=None, unplotted=unplotted)
    value_split = None if splits["value"] is None else float(splits["value"])
    money_split = None if splits["money"] is None else round(splits["money"])
    cost_split = round(splits["cost"])
    high_value = Q(money_value_cents__isnull=False, money_value_cents__gte=money_split or 0) | Q(
        money_value_cents__isnull=True, cost_of_delay__gte=value_split or 0
    )
    low_cost = Q(estimated_cost_cents__lt=cost_split)
    epics = list(
        plotted.select_related("value_stream")
        .annotate(
            quadrant=Case(
                When(high_value & low_cost, then=Value(1)),
                When(high_value, then=Value(2)),
                When(low_cost, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "quadrant", F("money_value_cents").desc(nulls_last=True), "-cost_of_delay", "estimated_cost_cents", "key"
        )
    )
    for epic in epics:
        epic.quadrant_key, epic.quadrant_label = QUADRANTS[epic.quadrant]
    return Economy(
        epics=epics,
        value_split=value_split,
        money_split_cents=money_split,
        cost_split_cents=cost_split,
        unplotted=unplotted,
    )


# --- the monthly report ----------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First day of `month` and first day of the next month."""
    start = month.replace(day=1)
    return start, (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class MonthlyReport:
    month: dt.date
    value_stream: ValueStream | None
    quarter: Quarter | None
    mmps_released: list[MMP]
    epics_done: list[Epic]
    key_results: list
    spend_by_stream: list[dict]
    spend_total_cents: int
    next_releases: list[MMP]
    # What the money bought (issue 12): benefit in the month, streams without a release of user
    # value for NO_VALUE_RELEASE_DAYS at month end, and team cost against labour spend.
    benefit_planned_cents: int = 0
    benefit_realised_cents: int = 0
    no_value_streams: list = field(default_factory=list)
    cost_rows: list = field(default_factory=list)
    no_value_days: int = 90
    # Time to value and predictability per value stream, from the latest snapshots of the
    # month's quarter (the rollup computed them; the report reads, never recomputes).
    value_rows: list = field(default_factory=list)
    # Governance flow (issue 18): days epics spent in reviewing, analyzing and the backlog,
    # over stays that ended in the month's quarter up to the month's end.
    governance: list = field(default_factory=list)
    # Obstacles and what customers said (issue 20): impediments open at the month's end and
    # resolved in it, and the month's customer feedback.
    impediments_open: list = field(default_factory=list)
    impediments_resolved: list = field(default_factory=list)
    feedback: list = field(default_factory=list)

    @property
    def scope(self) -> str:
        return self.value_stream.name if self.value_stream else "Portfolio"


def _scoped(queryset: QuerySet, value_stream: ValueStream | None, path: str) -> QuerySet:
    return queryset.filter(**{path: value_stream}) if value_stream is not None else queryset


def monthly_report(*, month: dt.date, value_stream: ValueStream | None = None) -> MonthlyReport:
    """What a board pack needs for one month, portfolio-wide or for one value stream:
    MMPs released in the month, epics whose move to done happened in the month, the quarter's
    key results with their grades, spend in the month, and the MMPs targeted next. A constant
    number of queries."""
    start, end = month_bounds(month)
    zone = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=zone)
    quarter = Quarter.objects.containing(start).first()

    mmps_released = _scoped(
        MMP.objects.filter(released_on__gte=start, released_on__lt=end), value_stream, "epic__value_stream"
    ).select_related("epic", "epic__value_stream")

    epics_done = epics_done_between(start_at=start_at, end_at=end_at, value_stream=value_stream)
    key_results = key_results_of_quarter(quarter=quarter, value_stream=value_stream) if quarter is not None else []

    spend_by_stream, spend_total = spend_by_value_stream(start=start, end=end, value_stream=value_stream)

    upcoming = MMP.objects.exclude(status__in=[MMPStatus.RELEASED, MMPStatus.CANCELED])
    if quarter is not None:
        upcoming = upcoming.filter(target_quarter__end__gte=quarter.start)
    else:
        upcoming = upcoming.filter(target_quarter__end__gte=start)
    next_releases = (
        _scoped(upcoming, value_stream, "epic__value_stream")
        .select_related("epic", "epic__value_stream", "target_quarter")
        .order_by("target_quarter__start", "epic__key", "id")[:50]
    )
    streams = ValueStream.objects.filter(active=True)
    if value_stream is not None:
        streams = streams.filter(id=value_stream.id)
    streams = list(streams.order_by("name").values_list("id", "name"))
    stream_ids = [vs_id for vs_id, _ in streams]
    last_day = end - dt.timedelta(days=1)
    released = last_value_release(until=last_day, value_stream_ids=stream_ids)
    alarm_days = no_value_days()
    no_value = [
        {"name": name, "last": released.get(vs_id)}
        for vs_id, name in streams
        if released.get(vs_id) is None or (last_day - released[vs_id]).days > alarm_days
    ]
    names = dict(streams)
    cost_rows = [
        {"name": names.get(row.value_stream_id, ""), "row": row}
        for row in cost_reconciliation(start=start, end=last_day, quarter=quarter, value_stream_ids=stream_ids)
    ]
    benefit = benefit_monthly_series(value_stream_id=value_stream.id if value_stream else None, months=[start])
    governance = []
    if quarter is not None:
        governance = governance_flow_days(
            start=quarter.start,
            end=min(quarter.end, last_day),
            value_stream_id=value_stream.id if value_stream else None,
        )
    impediments_open, impediments_resolved = impediments_of_month(start=start, end=end, value_stream=value_stream)
    return MonthlyReport(
        governance=governance,
        impediments_open=impediments_open,
        impediments_resolved=impediments_resolved,
        feedback=customer_feedback_of_month(start=start, end=end, value_stream=value_stream),
        value_rows=value_rows(quarter=quarter, value_stream=value_stream) if quarter is not None else [],
        benefit_planned_cents=benefit["planned"][0],
        benefit_realised_cents=benefit["realised"][0],
        no_value_streams=no_value,
        cost_rows=cost_rows,
        no_value_days=alarm_days,
        month=start,
        value_stream=value_stream,
        quarter=quarter,
        mmps_released=list(mmps_released.order_by("released_on", "id")),
        epics_done=list(epics_done),
        key_results=list(key_results),
        spend_by_stream=spend_by_stream,
        spend_total_cents=spend_total,
        next_releases=list(next_releases),
    )


# --- export tables: the values users see, money as numbers ------------------------------------

EXPORTS = ("overview", "epics", "allocations", "spend", "okrs", "value")


# Column kinds of each export (see vmo.exports): the documented column lists are in the README.
OVERVIEW_KINDS = ("text", "money", "money", "money", "percent", "text", "percent", "count", "number", "text", "count")
EPICS_KINDS = ("text", "text", "text", "text", "text", "integer", "integer", "number", "money", "text")
ALLOCATIONS_KINDS = ("text", "text", "money", "text")
SPEND_KINDS = ("month", "text", "text", "text", "money", "text", "text")
OKRS_KINDS = ("text",) * 5 + ("number", "number", "number", "text", "percent", "percent", "text")


HISTORY_HEADERS = ["Record", "Id", "When", "Who", "Change", "Field", "Old", "New", "Reason"]
HISTORY_KINDS = ("text", "integer", "datetime", "text", "text", "text", "text", "text", "text")


def _history_value(value) -> str:
    return "" if value is None else str(value)


def history_table(*, title: str, entries: list) -> Table:
    """A history sheet: one row per field changed (who, when, old, new, reason), by record then
    oldest first; a save that changed no tracked field (or a deletion) is one row without one.
    `entries` are (label, `portfolio.history.HistoryEntry`) pairs from the owning app."""
    rows = []
    for label, entry in entries:
        when = timezone.localtime(entry.when).replace(tzinfo=None)  # spreadsheets know no zones
        head = [label, entry.object_id, when, entry.who, entry.kind]
        changes = entry.changes or [None]
        for change in changes:
            if change is None:
                rows.append([*head, "", "", "", entry.reason])
            else:
                rows.append([*head, change.field, _history_value(change.old), _history_value(change.new), entry.reason])
    return Table(title=title, headers=HISTORY_HEADERS, rows=rows, kinds=HISTORY_KINDS)


def overview_table(*, quarter: Quarter) -> Table:
    rows = with_bands(overview_rows(quarter=quarter))
    return Table(
        title=f"Overview {quarter.code}",
        headers=[
            "Value stream",
            "Allocated",
            "Spent",
            "Forecast",
            "OKR score",
            "OKR band",
            "Delivery progress",
            "Flow velocity",
            "Flow time (days, median)",
            "DORA level",
            "Open risks",
        ],
        rows=[
            [
                row.name,
                cents_to_decimal(row.allocated_cents),
                cents_to_decimal(row.spent_cents),
                None if row.forecast_cents is None else cents_to_decimal(row.forecast_cents),
                row.okr_score,
                row.band_label if row.band else "",
                row.delivery_progress,
                row.flow_velocity,
                None if row.flow_time_median_days is None else round(Decimal(str(row.flow_time_median_days)), 1),
                row.dora_label if row.dora_level or (row.dora_detail or {}).get("not_graded") else "",
                row.open_risks,
            ]
            for row in rows
        ],
        kinds=OVERVIEW_KINDS,
    )


def epics_table(*, quarter: Quarter) -> Table:
    epics = Epic.objects.select_related("value_stream", "target_quarter").order_by("value_stream__name", "key")
    return Table(
        title="Epics",
        headers=[
            "Key",
            "Title",
            "Value stream",
            "State",
            "Kind",
            "Cost of delay",
            "Job size",
            "WSJF",
            "Estimated cost",
            "Target quarter",
        ],
        rows=[
            [
                epic.key,
                epic.title,
                epic.value_stream.name,
                epic.get_state_display(),
                epic.get_kind_display(),
                epic.cost_of_delay,
                epic.job_size,
                None if epic.wsjf is None else round(Decimal(str(epic.wsjf)), 2),
                cents_to_decimal(epic.estimated_cost_cents),
                epic.target_quarter.code if epic.target_quarter else "",
            ]
            for epic in epics
        ],
        kinds=EPICS_KINDS,
        sheets=[history_table(title="Epics history", entries=epics_history())],
    )


def allocations_table(*, quarter: Quarter) -> Table:
    return Table(
        title=f"Allocations {quarter.code}",
        headers=["Quarter", "Value stream", "Amount", "Note"],
        rows=[
            [quarter.code, row["name"], cents_to_decimal(row["amount_cents"]), row["note"]]
            for row in allocations_of_quarter(quarter=quarter)
        ],
        kinds=ALLOCATIONS_KINDS,
        sheets=[
            history_table(title=f"Allocations history {quarter.code}", entries=allocations_history(quarter=quarter))
        ],
    )


def spend_table(*, quarter: Quarter) -> Table:
    return Table(
        title=f"Spend {quarter.code}",
        headers=["Month", "Value stream", "Category", "Epic", "Amount", "Source", "Note"],
        rows=[
            [
                s.month,
                s.value_stream.name,
                s.get_category_display(),
                s.epic.key if s.epic else "",
                cents_to_decimal(s.amount_cents),
                s.source,
                s.note,
            ]
            for s in spend_rows(quarter=quarter)
        ],
        kinds=SPEND_KINDS,
    )


def okrs_table(*, quarter: Quarter) -> Table:
    key_results = key_results_of_quarter(quarter=quarter)
    return Table(
        title=f"OKRs {quarter.code}",
        headers=[
            "Objective",
            "Level",
            "Value stream",
            "Key result",
            "Direction",
            "Baseline",
            "Target",
            "Current",
            "Unit",
            "Progress",
            "Grade",
            "Band",
        ],
        rows=[
            [
                kr.objective.title,
                kr.objective.get_level_display(),
                kr.objective.value_stream.name if kr.objective.value_stream else "",
                kr.title,
                kr.get_direction_display(),
                kr.baseline,
                kr.target,
                kr.current,
                kr.unit,
                kr.progress_value,
                kr.grade_value,
                band_label(score_band(kr.grade_value)),
            ]
            for kr in key_results
        ],
        kinds=OKRS_KINDS,
        sheets=[history_table(title=f"KR history {quarter.code}", entries=key_results_history(quarter=quarter))],
    )


def _figure(value, *, money: bool = False):
    if value is None:
        return ""
    if money:
        return cents_to_decimal(value)
    if isinstance(value, list):
        return ", ".join(value)
    return value


# (header, value_detail key, money?) for the "value" export.
VALUE_COLUMNS = (
    ("Benefit planned (quarter)", "benefit_planned_cents", True),
    ("Benefit realised (quarter)", "benefit_realised_cents", True),
    ("Benefit realised to date", "benefit_realised_to_date_cents", True),
    ("Actual cost to date", "actual_cost_cents", True),
    ("Return realised", "return_realised", False),
    ("Return planned", "return_planned", False),
    ("Time to value median (days)", "time_to_value_median_days", False),
    ("Time to value p85 (days)", "time_to_value_p85_days", False),
    ("Epic cycle time median (days)", "epic_cycle_time_median_days", False),
    ("Epics done", "epic_throughput", False),
    ("Last value release", "last_value_release", False),
    ("No value alarm", "no_value_alarm", False),
    ("Planned MMPs", "planned_mmps", False),
    ("Delivered MMPs", "delivered_mmps", False),
    ("Predictability", "predictability", False),
    ("Spend beyond team cost (months)", "cost_flagged_months", False),
    ("MVPs not evaluated", "mvps_unevaluated", False),
)


def value_table(*, quarter: Quarter) -> Table:
    """What the money bought per value stream, from the latest snapshots (one query)."""
    return Table(
        title=f"Value {quarter.code}",
        headers=["Value stream", *[header for header, _, _ in VALUE_COLUMNS]],
        rows=[
            [row.value_stream.name, *[_figure(row.figures.get(key), money=money) for _, key, money in VALUE_COLUMNS]]
            for row in value_rows(quarter=quarter)
        ],
    )


def export_table(*, name: str, quarter: Quarter) -> Table:
    builders = {
        "value": value_table,
        "overview": overview_table,
        "epics": epics_table,
        "allocations": allocations_table,
        "spend": spend_table,
        "okrs": okrs_table,
    }
    return builders[name](quarter=quarter)
