"""Reads for funding: budgets, headroom, burn and forecast, computed in the database."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from funding.models import Allocation, Guardrail, QuarterBudget, Scenario, ScenarioLine, Spend, Team
from portfolio.models import Epic, EpicState, InvestmentType, Quarter, ValueStream
from portfolio.selectors.base import quarter_current


@dataclass(frozen=True)
class MoneyFigures:
    """A value stream's money in a quarter, in cents."""

    allocated_cents: int
    spent_cents: int
    forecast_cents: int

    @property
    def variance_cents(self) -> int:
        """Allocated minus forecast: positive is money left at quarter end, negative an overrun."""
        return self.allocated_cents - self.forecast_cents


def quarter_months(quarter: Quarter) -> list[dt.date]:
    """First days of the months a quarter covers."""
    months, day = [], quarter.start.replace(day=1)
    while day <= quarter.end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def months_elapsed(quarter: Quarter, as_of: dt.date) -> int:
    """How many of the quarter's months have started by `as_of` (0 before it starts)."""
    return sum(1 for month in quarter_months(quarter) if month <= as_of)


def _sum_subquery(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values(queryset.model._meta.get_field("value_stream").attname)
            .annotate(total=Sum(field))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def value_stream_money(*, quarter: Quarter, as_of: dt.date) -> dict[int, MoneyFigures]:
    """Allocated, spent to date and forecast at quarter end for every value stream, one query.

    Allocation and spend are summed in separate subqueries: joining both tables first would
    multiply rows and corrupt the sums (the fan-out trap). The forecast extrapolates the run
    rate of the months started so far over the whole quarter (rounded half up to the cent).
    """
    elapsed = months_elapsed(quarter, as_of)
    months = len(quarter_months(quarter))
    allocated = _sum_subquery(
        Allocation.objects.filter(budget__quarter=quarter, value_stream=OuterRef("pk")), "amount_cents"
    )
    spent = _sum_subquery(
        Spend.objects.filter(
            value_stream=OuterRef("pk"), voided_at__isnull=True, month__gte=quarter.start, month__lte=as_of
        ),
        "amount_cents",
    )
    rows = ValueStream.objects.annotate(allocated_cents=allocated, spent_cents=spent)
    if elapsed:
        rows = rows.annotate(forecast_cents=(F("spent_cents") * (2 * months) + elapsed) / (2 * elapsed))
    else:
        rows = rows.annotate(forecast_cents=F("spent_cents"))
    return {
        vs_id: MoneyFigures(allocated_cents=a, spent_cents=s, forecast_cents=f)
        for vs_id, a, s, f in rows.values_list("id", "allocated_cents", "spent_cents", "forecast_cents")
    }


# --- budgets, allocations and headroom -----------------------------------------------------------


def budget_list():
    """Budgets with `allocated` and `unallocated` cents annotated (one query, no fan-out)."""
    allocated = Coalesce(
        Subquery(
            Allocation.objects.filter(budget=OuterRef("pk"))
            .order_by()
            .values("budget")
            .annotate(total=Sum("amount_cents"))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return (
        QuarterBudget.objects.select_related("quarter", "approved_by")
        .annotate(allocated_cents=allocated)
        .annotate(unallocated_cents=F("total_cents") - F("allocated_cents"))
    )


def budget_for_quarter(*, quarter: Quarter) -> QuarterBudget | None:
    return budget_list().filter(quarter=quarter).first()


def epics_in_quarter_q(quarter: Quarter, *, current: Quarter | None) -> Q:
    """Epics that belong to `quarter`: their target quarter, or the current quarter when unset."""
    condition = Q(target_quarter=quarter)
    if current is not None and current.pk == quarter.pk:
        condition |= Q(target_quarter__isnull=True)
    return condition


def quarter_days(quarter: Quarter) -> int:
    return (quarter.end - quarter.start).days + 1


def team_capacity_subquery(quarter: Quarter, value_stream_ref="pk"):
    """Sum over a stream's active teams of (quarter days // sprint length) x cost per sprint."""
    days = quarter_days(quarter)
    teams = (
        Team.objects.filter(value_stream=OuterRef(value_stream_ref), active=True)
        .order_by()
        .values("value_stream")
        .annotate(
            total=Sum(
                ExpressionWrapper(
                    (Value(days) / F("sprint_length_days")) * F("cost_per_sprint_cents"),
                    output_field=BigIntegerField(),
                )
            )
        )
        .values("total")
    )
    return Coalesce(Subquery(teams, output_field=BigIntegerField()), Value(0))


def team_list(*, quarter: Quarter | None = None):
    """Teams with their value stream; with a quarter, `sprints_in_quarter` and `capacity_cents`.

    Sprints in a quarter = the quarter's days // sprint length (whole sprints only).
    """
    rows = Team.objects.select_related("value_stream").prefetch_related("members")
    if quarter is not None:
        days = quarter_days(quarter)
        rows = rows.annotate(
            sprints_in_quarter=ExpressionWrapper(Value(days) / F("sprint_length_days"), output_field=IntegerField())
        ).annotate(
            capacity_cents=ExpressionWrapper(
                F("sprints_in_quarter") * F("cost_per_sprint_cents"), output_field=BigIntegerField()
            )
        )
    return rows


@dataclass(frozen=True)
class StreamRow:
    """One value stream's line on the funding page."""

    value_stream: ValueStream
    allocation_id: int | None
    allocated_cents: int
    spent_cents: int
    forecast_cents: int
    run_rate_cents: int
    capacity_cents: int
    implementing_cents: int

    @property
    def variance_cents(self) -> int:
        return self.allocated_cents - self.forecast_cents

    @property
    def spent_pct(self) -> int | None:
        """Spent to date as a whole percentage of the allocation (None without an allocation)."""
        if not self.allocated_cents:
            return None
        return (self.spent_cents * 100 + self.allocated_cents // 2) // self.allocated_cents

    @property
    def bar_pct(self) -> int:
        """The burn bar's width: 0..100 in steps of 5 (CSS classes, no inline style)."""
        pct = self.spent_pct or 0
        return min(100, (pct // 5) * 5)

    @property
    def overrun(self) -> bool:
        return self.forecast_cents > self.allocated_cents


def stream_rows(
    *, quarter: Quarter, as_of: dt.date, budget: QuarterBudget | None, current: Quarter | bool | None = False
) -> list[StreamRow]:
    """Allocated, spent, run rate, forecast, variance, team capacity per active value stream.

    Run rate = spent to date / months of the quarter started (per month, rounded half up).
    Forecast and spent come from `value_stream_money` (the rollups use the same numbers).
    Two queries whatever the number of streams: the money figures, and the streams with the
    allocation id, team capacity and the estimates of epics implementing annotated.
    """
    money = value_stream_money(quarter=quarter, as_of=as_of)
    elapsed = months_elapsed(quarter, as_of)
    if current is False:
        current = quarter_current()
    implementing = Coalesce(
        Subquery(
            Epic.objects.filter(
                epics_in_quarter_q(quarter, current=current),
                value_stream=OuterRef("pk"),
                state=EpicState.IMPLEMENTING,
            )
            .order_by()
            .values("value_stream")
            .annotate(total=Sum("estimated_cost_cents"))
            .values("total"),
            output_field=BigIntegerField(),
        ),
        Value(0),
    )
    allocation_id = Subquery(
        Allocation.objects.filter(budget=budget, value_stream=OuterRef("pk")).values("id")[:1]
        if budget is not None
        else Allocation.objects.none().values("id")
    )
    streams = ValueStream.objects.filter(Q(active=True) | Q(allocations__budget__quarter=quarter)).distinct()
    streams = streams.annotate(
        allocation_id=allocation_id,
        capacity_cents=team_capacity_subquery(quarter),
        implementing_cents=implementing,
    ).order_by("name")
    rows = []
    for vs in streams:
        figures = money.get(vs.pk, MoneyFigures(0, 0, 0))
        run_rate = (figures.spent_cents * 2 + elapsed) // (2 * elapsed) if elapsed else 0
        rows.append(
            StreamRow(
                value_stream=vs,
                allocation_id=vs.allocation_id,
                allocated_cents=figures.allocated_cents,
                spent_cents=figures.spent_cents,
                forecast_cents=figures.forecast_cents,
                run_rate_cents=run_rate,
                capacity_cents=vs.capacity_cents,
                implementing_cents=vs.implementing_cents,
            )
        )
    return rows


# --- guardrail mix -------------------------------------------------------------------------------

MIX_FIELDS = (
    (InvestmentType.BUSINESS_FEATURES, "business_features_pct"),
    (InvestmentType.ENABLERS, "enablers_pct"),
    (InvestmentType.TECH_DEBT, "tech_debt_pct"),
    (InvestmentType.KEEP_THE_LIGHTS_ON, "ktlo_pct"),
)


@dataclass(frozen=True)
class MixRow:
    investment_type: str
    label: str
    planned_pct: int
    actual_cents: int
    actual_pct: Decimal | None
    drift: bool


def guardrail_mix(
    *, quarter: Quarter, guardrail: Guardrail | None, current: Quarter | bool | None = False
) -> list[MixRow]:
    """Planned vs actual capacity allocation by investment type, with drift flagged.

    Actual = each investment type's share of the cost estimates of the quarter's epics in the
    portfolio backlog or implementing (the work the money is committed to), grouped in the
    database. An epic belongs to the quarter it targets, or to the current quarter when it
    targets none. Drift: |actual - planned| > the guardrail's tolerance (percentage points).
    """
    if current is False:
        current = quarter_current()
    sums = dict(
        Epic.objects.filter(
            epics_in_quarter_q(quarter, current=current),
            state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING],
            estimated_cost_cents__isnull=False,
        )
        .order_by()
        .values("investment_type")
        .annotate(total=Sum("estimated_cost_cents"))
        .values_list("investment_type", "total")
    )
    grand = sum(sums.values())
    tolerance = guardrail.drift_tolerance_pct if guardrail else 0
    rows = []
    for kind, field in MIX_FIELDS:
        planned = getattr(guardrail, field) if guardrail else 0
        cents = sums.get(kind, 0)
        actual = (Decimal(cents) * 100 / Decimal(grand)).quantize(Decimal("0.1")) if grand else None
        drift = guardrail is not None and actual is not None and abs(actual - planned) > tolerance
        rows.append(MixRow(kind, InvestmentType(kind).label, planned, cents, actual, drift))
    return rows


# --- history -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    what: str
    old: str
    new: str
    reason: str


def budget_history(*, budget: QuarterBudget, limit: int = 50) -> list[HistoryRow]:
    """Who changed the budget and its allocations, when, old and new value (simple-history).

    Three queries: the budget's, the allocations' and the guardrails' historical rows; the
    previous value of each row comes from a subquery, not a query per row.
    """
    from portfolio.money import format_amount

    alloc_history = Allocation.history.model
    prev_amount = Subquery(
        alloc_history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("amount_cents")[:1],
        output_field=BigIntegerField(),
    )
    alloc_rows = (
        alloc_history.objects.filter(budget_id=budget.pk)
        .select_related("history_user", "value_stream")
        .annotate(prev_amount=prev_amount)
        .order_by("-history_id")[:limit]
    )
    budget_history_model = QuarterBudget.history.model
    prev_total = Subquery(
        budget_history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("total_cents")[:1],
        output_field=BigIntegerField(),
    )
    prev_status = Subquery(
        budget_history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("status")[:1]
    )
    budget_rows = (
        budget_history_model.objects.filter(id=budget.pk)
        .select_related("history_user")
        .annotate(prev_total=prev_total, prev_status=prev_status)
        .order_by("-history_id")[:limit]
    )
    guardrail_rows = (
        Guardrail.history.model.objects.filter(budget_id=budget.pk)
        .select_related("history_user")
        .order_by("-history_id")[:limit]
    )
    rows = []
    for h in guardrail_rows:
        mix = f"{h.business_features_pct}/{h.enablers_pct}/{h.tech_debt_pct}/{h.ktlo_pct}"
        threshold = format_amount(h.approval_threshold_cents) if h.approval_threshold_cents is not None else "none"
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what="Guardrails (features/enablers/debt/KTLO, threshold)",
                old="",
                new=f"{mix}, {threshold}",
                reason=h.history_change_reason or "",
            )
        )
    for h in alloc_rows:
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what=f"Allocation {h.value_stream.name}",
                old=format_amount(h.prev_amount) if h.prev_amount is not None else "—",
                new=format_amount(h.amount_cents),
                reason=h.history_change_reason or "",
            )
        )
    for h in budget_rows:
        old = []
        if h.prev_total is not None and h.prev_total != h.total_cents:
            old.append(format_amount(h.prev_total))
        if h.prev_status and h.prev_status != h.status:
            old.append(h.prev_status)
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what="Budget",
                old=", ".join(old) or ("—" if h.history_type == "+" else ""),
                new=f"{format_amount(h.total_cents)}, {h.status}",
                reason=h.history_change_reason or "",
            )
        )
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]


def _who(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.username


# --- scenarios -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioCell:
    amount_cents: int
    delta_cents: int
    capacity_covered_pct: int | None
    funded_epics: list[str]
    wsjf_funded: Decimal


@dataclass(frozen=True)
class ScenarioCompareRow:
    value_stream: ValueStream
    allocated_cents: int
    capacity_cents: int
    cells: list[ScenarioCell]


def scenario_compare(*, scenarios: list[Scenario]) -> list[ScenarioCompareRow]:
    """Side by side, per value stream: each scenario's amount, delta to the current allocation,
    share of team capacity it pays for, the epics it funds and their WSJF sum.

    Which epics fit: the stream's quarter epics implementing (already committed, first) then in
    the portfolio backlog by WSJF rank (ties: higher cost of delay, smaller job size, older, id),
    funded while the running total of their estimates stays within the amount (a prefix: the
    first epic that does not fit stops the line, as WSJF order is the pull order). The running
    total is a window sum computed by the database. Three queries whatever the sizes.
    """
    if not scenarios:
        return []
    budget = scenarios[0].budget
    quarter = budget.quarter
    lines = {
        (s_id, vs_id): amount
        for s_id, vs_id, amount in ScenarioLine.objects.filter(scenario__in=scenarios).values_list(
            "scenario_id", "value_stream_id", "amount_cents"
        )
    }
    streams = (
        ValueStream.objects.filter(Q(active=True) | Q(pk__in={vs for _, vs in lines}))
        .annotate(
            allocated_cents=Coalesce(
                Subquery(
                    Allocation.objects.filter(budget=budget, value_stream=OuterRef("pk")).values("amount_cents")[:1],
                    output_field=BigIntegerField(),
                ),
                Value(0),
            ),
            capacity_cents=team_capacity_subquery(quarter),
        )
        .order_by("name")
    )
    order = [
        Case(When(state=EpicState.IMPLEMENTING, then=Value(0)), default=Value(1)).asc(),
        F("wsjf").desc(nulls_last=True),
        F("cost_of_delay").desc(nulls_last=True),
        F("job_size").asc(nulls_last=True),
        F("created_at").asc(),
        F("id").asc(),
    ]
    epics = list(
        Epic.objects.filter(
            epics_in_quarter_q(quarter, current=quarter_current()),
            state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING],
        )
        .annotate(
            cost=Coalesce(F("estimated_cost_cents"), Value(0)),
            running=Window(
                Sum(Coalesce(F("estimated_cost_cents"), Value(0))), partition_by=[F("value_stream")], order_by=order
            ),
        )
        .order_by("value_stream_id", *order)
        .values_list("value_stream_id", "key", "running", "wsjf")
    )
    by_stream: dict[int, list] = {}
    for vs_id, key, running, wsjf in epics:
        by_stream.setdefault(vs_id, []).append((key, running, wsjf))
    rows = []
    for vs in streams:
        cells = []
        for scenario in scenarios:
            amount = lines.get((scenario.pk, vs.pk), vs.allocated_cents)
            funded, wsjf_sum = [], Decimal(0)
            for key, running, wsjf in by_stream.get(vs.pk, []):
                if running > amount:
                    break
                funded.append(key)
                wsjf_sum += Decimal(str(round(wsjf, 2))) if wsjf is not None else 0
            covered = (amount * 100 // vs.capacity_cents) if vs.capacity_cents else None
            cells.append(ScenarioCell(amount, amount - vs.allocated_cents, covered, funded, wsjf_sum))
        rows.append(ScenarioCompareRow(vs, vs.allocated_cents, vs.capacity_cents, cells))
    return rows


def spend_list():
    return Spend.objects.select_related("value_stream", "epic", "created_by")


@dataclass(frozen=True)
class FundingOverview:
    """Everything the funding page shows for one quarter."""

    quarter: Quarter
    budget: QuarterBudget | None
    guardrail: Guardrail | None
    rows: list[StreamRow]
    mix: list[MixRow]
    history: list[HistoryRow]
    previous: Quarter | None
    next: Quarter | None
    as_of: dt.date

    @property
    def totals(self) -> dict[str, int]:
        return {
            "allocated": sum(r.allocated_cents for r in self.rows),
            "spent": sum(r.spent_cents for r in self.rows),
            "forecast": sum(r.forecast_cents for r in self.rows),
            "run_rate": sum(r.run_rate_cents for r in self.rows),
            "capacity": sum(r.capacity_cents for r in self.rows),
            "variance": sum(r.variance_cents for r in self.rows),
        }

    @property
    def chart(self) -> dict:
        """Allocation vs spend per value stream, as plain numbers of whole currency units for Chart.js."""
        return {
            "labels": [r.value_stream.name for r in self.rows],
            "allocated": [r.allocated_cents // 100 for r in self.rows],
            "spent": [r.spent_cents // 100 for r in self.rows],
            "forecast": [r.forecast_cents // 100 for r in self.rows],
        }


def funding_overview(*, quarter: Quarter, as_of: dt.date) -> FundingOverview:
    """The funding page's data in a fixed number of queries, whatever the number of streams and rows."""
    from portfolio.selectors.base import quarter_next, quarter_previous

    current = quarter_current(today=as_of)
    budget = budget_for_quarter(quarter=quarter)
    guardrail = Guardrail.objects.filter(budget=budget).first() if budget is not None else None
    return FundingOverview(
        quarter=quarter,
        budget=budget,
        guardrail=guardrail,
        rows=stream_rows(quarter=quarter, as_of=as_of, budget=budget, current=current),
        mix=guardrail_mix(quarter=quarter, guardrail=guardrail, current=current),
        history=budget_history(budget=budget) if budget is not None else [],
        previous=quarter_previous(quarter=quarter),
        next=quarter_next(quarter=quarter),
        as_of=as_of,
    )


def epic_estimates(*, value_stream_id=None):
    """Epics with their estimate shown both ways: money, and sprints of a team.

    Entered as sprints: that team and count. Entered as money: the equivalent in sprints of the
    stream's largest-cost active team, `equivalent_tenths` (tenths of a sprint, rounded down),
    computed by the database.
    """
    reference = Team.objects.filter(value_stream=OuterRef("value_stream"), active=True, cost_per_sprint_cents__gt=0)
    reference = reference.order_by("-cost_per_sprint_cents", "id")
    rows = (
        Epic.objects.exclude(state__in=[EpicState.DONE, EpicState.NOT_PURSUED])
        .select_related("value_stream", "funding_estimate__team")
        .annotate(
            reference_team=Subquery(reference.values("name")[:1]),
            reference_cost=Subquery(reference.values("cost_per_sprint_cents")[:1], output_field=BigIntegerField()),
        )
        .annotate(
            equivalent_tenths=ExpressionWrapper(
                F("estimated_cost_cents") * 10 / F("reference_cost"), output_field=BigIntegerField()
            )
        )
        .order_by("value_stream__name", "key")
    )
    if value_stream_id:
        rows = rows.filter(value_stream_id=value_stream_id)
    return rows


# --- reads the office composes ------------------------------------------------------------------


def allocations_of_quarter(*, quarter: Quarter) -> list[dict]:
    """The quarter's allocations by value stream name: value_stream_id, name, slug, amount_cents, note."""
    return list(
        Allocation.objects.filter(budget__quarter=quarter)
        .order_by("value_stream__name")
        .values(
            "value_stream_id", "amount_cents", "note", name=F("value_stream__name"), slug=F("value_stream__slug")
        )
    )


def allocation_changes(*, quarter: Quarter, since: dt.datetime) -> list[dict]:
    """The quarter's allocations whose amount differs from what it was at `since` (or that did
    not exist then), from the history table: value_stream_id, name, slug, then_cents, now_cents."""
    then = Subquery(
        Allocation.history.filter(id=OuterRef("id"), history_date__lte=since)
        .order_by("-history_date", "-history_id")
        .values("amount_cents")[:1],
        output_field=IntegerField(),
    )
    return list(
        Allocation.objects.filter(budget__quarter=quarter)
        .annotate(then_cents=then)
        .filter(Q(then_cents__isnull=True) | ~Q(then_cents=F("amount_cents")))
        .order_by("value_stream__name")
        .values("then_cents", "value_stream_id", now_cents=F("amount_cents"), name=F("value_stream__name"))
        .annotate(slug=F("value_stream__slug"))
    )


def allocation_amount(*, quarter_id, value_stream_ref: str):
    """A value stream's allocation in a quarter as a subquery expression (0 without one), for
    callers that annotate rows of their own tables with it."""
    return Coalesce(
        Subquery(
            Allocation.objects.filter(budget__quarter_id=quarter_id, value_stream_id=OuterRef(value_stream_ref)).values(
                "amount_cents"
            )[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def spend_by_month(*, value_stream_id: int, quarter: Quarter) -> dict[dt.date, int]:
    """Booked (not voided) spend of a value stream per month of the quarter, in cents."""
    return dict(
        Spend.objects.filter(
            value_stream_id=value_stream_id, voided_at__isnull=True, month__gte=quarter.start, month__lte=quarter.end
        )
        .order_by()
        .values("month")
        .annotate(total=Sum("amount_cents"))
        .values_list("month", "total")
    )


def spend_by_value_stream(*, start: dt.date, end: dt.date, value_stream=None) -> tuple[list[dict], int]:
    """Booked spend of months in [start, end) per value stream (name, slug, amount_cents) and its total."""
    spend = Spend.objects.filter(month__gte=start, month__lt=end, voided_at__isnull=True)
    if value_stream is not None:
        spend = spend.filter(value_stream=value_stream)
    rows = list(
        spend.order_by("value_stream__name")
        .values("value_stream__name", "value_stream__slug")
        .annotate(amount_cents=Sum("amount_cents"))
    )
    return rows, spend.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]


def spend_rows(*, quarter: Quarter) -> QuerySet[Spend]:
    """The quarter's booked spend rows with their stream and epic, in month order (exports)."""
    return (
        Spend.objects.filter(month__gte=quarter.start, month__lte=quarter.end, voided_at__isnull=True)
        .select_related("value_stream", "epic")
        .order_by("month", "value_stream__name", "id")
    )
