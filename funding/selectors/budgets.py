"""Reads for budgets and allocations: budgets with what is allocated, and the funding page's
line per value stream (allocated, spent, run rate, forecast, team capacity, implementing)."""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import BigIntegerField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import Allocation, QuarterBudget
from funding.selectors.money import MoneyFigures, value_stream_money
from funding.selectors.teams import team_capacity_subquery
from portfolio.models import Epic, EpicState, Quarter, ValueStream


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


@dataclass(frozen=True, kw_only=True)
class StreamRow(MoneyFigures):
    """One value stream's line on the funding page: its money figures (run rate, forecast,
    variance as `MoneyFigures` defines them), the allocation to edit, team capacity and the
    estimates of its epics implementing."""

    value_stream: ValueStream
    allocation_id: int | None
    capacity_cents: int
    implementing_cents: int

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
    *, quarter: Quarter, as_of: dt.date, budget: QuarterBudget | None, current: Quarter | None = None
) -> list[StreamRow]:
    """Allocated, spent, run rate, forecast, variance, team capacity per value stream that is
    active or has an allocation in the quarter.

    Run rate = spent to date / months with booked spend (per month, rounded half up).
    Forecast and spent come from `value_stream_money` (the rollups use the same numbers). Three
    queries whatever the number of streams: the money figures (two), and the streams with the
    allocation id, team capacity and the estimates of epics implementing annotated.
    `current` is the current quarter when the caller has it (`Epic.objects.funded_in`).
    """
    implementing = Coalesce(
        Subquery(
            Epic.objects.funded_in(quarter, current=current)
            .filter(value_stream=OuterRef("pk"), state=EpicState.IMPLEMENTING)
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
    # An IN, not a join on allocations: a join needs DISTINCT over every annotated column.
    allocated_in_quarter = Allocation.objects.filter(budget__quarter=quarter).values("value_stream_id")
    streams = ValueStream.objects.filter(Q(active=True) | Q(id__in=allocated_in_quarter)).only("id", "name", "slug")
    streams = streams.annotate(
        allocation_id=allocation_id,
        capacity_cents=team_capacity_subquery(quarter),
        implementing_cents=implementing,
    )
    money = value_stream_money(quarter=quarter, as_of=as_of)
    return [
        StreamRow(
            **asdict(money[vs.pk]),
            value_stream=vs,
            allocation_id=vs.allocation_id,
            capacity_cents=vs.capacity_cents,
            implementing_cents=vs.implementing_cents,
        )
        for vs in streams.order_by("name")
    ]


@dataclass(frozen=True)
class AllocationLine:
    """An allocation as the close confirmation lists it (old and new are the same: it freezes)."""

    value_stream_name: str
    old_cents: int
    new_cents: int


def budget_allocations(*, budget: QuarterBudget) -> list[AllocationLine]:
    """The budget's allocations by value stream name, for the close confirmation (one query)."""
    rows = (
        Allocation.objects.filter(budget=budget)
        .order_by("value_stream__name")
        .values_list("value_stream__name", "amount_cents")
    )
    return [AllocationLine(name, cents, cents) for name, cents in rows]
