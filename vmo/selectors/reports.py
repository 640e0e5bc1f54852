"""Reads for the executive's reports: the features economy and the monthly report."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from funding.selectors import allocations_of_quarter, spend_by_value_stream, spend_rows
from kanban.selectors import epics_done_between
from okrs.scoring import band_label, score_band
from okrs.selectors import key_results_of_quarter
from portfolio.models import MMP, Epic, EpicState, MMPStatus, Quarter, ValueStream
from portfolio.money import cents_to_decimal, format_percent
from vmo.exports import Table
from vmo.selectors.overview import overview_rows, with_bands

# --- features economy: value (cost of delay) against cost ------------------------------------

QUADRANTS = {
    1: ("high_value_low_cost", "High value, low cost: do first"),
    2: ("high_value_high_cost", "High value, high cost: slice smaller"),
    3: ("low_value_low_cost", "Low value, low cost: fill gaps"),
    4: ("low_value_high_cost", "Low value, high cost: challenge"),
}


@dataclass(frozen=True)
class Economy:
    """Scored, costed open epics in quadrants split at the mean cost of delay and mean cost."""

    epics: list[Epic]
    value_split: float | None
    cost_split_cents: int | None
    unplotted: int

    @property
    def low_value_high_cost(self) -> list[Epic]:
        return [epic for epic in self.epics if epic.quadrant == 4]


def epic_economy(*, value_stream: ValueStream | None = None) -> Economy:
    """Open epics (not done, not pursued) with a cost of delay and an estimated cost, each in a
    quadrant, high value / low cost first. Three queries whatever the number of epics."""
    candidates = Epic.objects.exclude(state__in=[EpicState.DONE, EpicState.NOT_PURSUED])
    if value_stream is not None:
        candidates = candidates.filter(value_stream=value_stream)
    plotted = candidates.filter(cost_of_delay__isnull=False, estimated_cost_cents__isnull=False)
    splits = plotted.aggregate(value=Avg("cost_of_delay"), cost=Avg("estimated_cost_cents"))
    unplotted = candidates.exclude(pk__in=plotted.values("pk")).count()
    if splits["value"] is None:
        return Economy(epics=[], value_split=None, cost_split_cents=None, unplotted=unplotted)
    value_split, cost_split = float(splits["value"]), round(splits["cost"])
    high_value = Q(cost_of_delay__gte=value_split)
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
        .order_by("quadrant", "-cost_of_delay", "estimated_cost_cents", "key")
    )
    for epic in epics:
        epic.quadrant_key, epic.quadrant_label = QUADRANTS[epic.quadrant]
    return Economy(epics=epics, value_split=value_split, cost_split_cents=cost_split, unplotted=unplotted)


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
    return MonthlyReport(
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

EXPORTS = ("overview", "epics", "allocations", "spend", "okrs")


def _pct(value) -> str:
    return "" if value is None else format_percent(value)


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
                cents_to_decimal(row.forecast_cents),
                _pct(row.okr_score),
                row.band_label if row.band else "",
                _pct(row.delivery_progress),
                row.flow_velocity,
                "" if row.flow_time_median_days is None else f"{row.flow_time_median_days:.1f}",
                row.dora_label if row.dora_level else "",
                row.open_risks,
            ]
            for row in rows
        ],
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
                None if epic.wsjf is None else round(epic.wsjf, 2),
                cents_to_decimal(epic.estimated_cost_cents),
                epic.target_quarter.code if epic.target_quarter else "",
            ]
            for epic in epics
        ],
    )


def allocations_table(*, quarter: Quarter) -> Table:
    return Table(
        title=f"Allocations {quarter.code}",
        headers=["Quarter", "Value stream", "Amount", "Note"],
        rows=[
            [quarter.code, row["name"], cents_to_decimal(row["amount_cents"]), row["note"]]
            for row in allocations_of_quarter(quarter=quarter)
        ],
    )


def spend_table(*, quarter: Quarter) -> Table:
    return Table(
        title=f"Spend {quarter.code}",
        headers=["Month", "Value stream", "Category", "Epic", "Amount", "Source", "Note"],
        rows=[
            [
                s.month.strftime("%Y-%m"),
                s.value_stream.name,
                s.get_category_display(),
                s.epic.key if s.epic else "",
                cents_to_decimal(s.amount_cents),
                s.source,
                s.note,
            ]
            for s in spend_rows(quarter=quarter)
        ],
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
                kr.baseline.normalize(),
                kr.target.normalize(),
                kr.current.normalize(),
                kr.unit,
                _pct(kr.progress_value),
                _pct(kr.grade_value),
                band_label(score_band(kr.grade_value)),
            ]
            for kr in key_results
        ],
    )


def export_table(*, name: str, quarter: Quarter) -> Table:
    builders = {
        "overview": overview_table,
        "epics": epics_table,
        "allocations": allocations_table,
        "spend": spend_table,
        "okrs": okrs_table,
    }
    return builders[name](quarter=quarter)
