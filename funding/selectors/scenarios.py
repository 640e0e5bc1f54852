"""Reads for scenarios: scenarios side by side against the current allocations and the epics each funds."""

from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Round

from funding.models import Allocation, Scenario, ScenarioLine
from funding.selectors.teams import team_capacity_subquery
from portfolio.models import Epic, EpicState, ValueStream
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.base import quarter_current


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
    # Implementing first (already committed), then the WSJF rank order of `Epic.objects.ranked()`.
    order = [Case(When(state=EpicState.IMPLEMENTING, then=Value(0)), default=Value(1)).asc(), *RANK_ORDER]
    window = {"partition_by": [F("value_stream")], "order_by": order}
    epics = (
        Epic.objects.funded_in(quarter, current=quarter_current())
        .filter(state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING])
        .with_is_scored()
        .annotate(
            running=Window(Sum(Coalesce(F("estimated_cost_cents"), Value(0))), **window),
            # The WSJF sum of the line so far, each score at the two decimals it is shown with.
            wsjf_running=Window(Sum(Coalesce(Round(F("wsjf"), 2), Value(0.0))), **window),
        )
        .order_by("value_stream_id", *order)
        .values_list("value_stream_id", "key", "running", "wsjf_running")
    )
    # Per stream, the funding line as three parallel lists in pull order. Estimates are never
    # negative, so running totals only grow: the epics an amount funds are the prefix whose
    # running total fits, found by bisection, and its WSJF sum is the database's running sum at
    # its last epic; no per-epic work for each scenario.
    lines_by_stream: dict[int, tuple[list, list, list]] = {}
    for vs_id, key, running, wsjf_running in epics:
        keys, runnings, wsjf_sums = lines_by_stream.setdefault(vs_id, ([], [], []))
        keys.append(key)
        runnings.append(running)
        wsjf_sums.append(wsjf_running)
    rows = []
    for vs in streams:
        keys, runnings, wsjf_sums = lines_by_stream.get(vs.pk, ([], [], []))
        cells = []
        for scenario in scenarios:
            amount = lines.get((scenario.pk, vs.pk), vs.allocated_cents)
            fits = bisect_right(runnings, amount)
            funded = keys[:fits]
            wsjf_sum = Decimal(str(round(wsjf_sums[fits - 1], 2))) if fits else Decimal(0)
            covered = (amount * 100 // vs.capacity_cents) if vs.capacity_cents else None
            cells.append(ScenarioCell(amount, amount - vs.allocated_cents, covered, funded, wsjf_sum))
        rows.append(ScenarioCompareRow(vs, vs.allocated_cents, vs.capacity_cents, cells))
    return rows


@dataclass(frozen=True)
class AllocationChange:
    """One allocation a commit would replace: today's amount (None: no allocation yet) and the new one."""

    value_stream_name: str
    old_cents: int | None
    new_cents: int


def scenario_commit_changes(*, scenario: Scenario) -> list[AllocationChange]:
    """What committing `scenario` would change, for the confirm step: every line whose amount
    differs from the stream's allocation today, as `scenario_commit` decides it (an equal amount,
    or a zero line where no allocation exists, changes nothing). One query."""
    current = Allocation.objects.filter(budget_id=scenario.budget_id, value_stream_id=OuterRef("value_stream_id"))
    lines = (
        ScenarioLine.objects.filter(scenario=scenario)
        .annotate(old=Subquery(current.values("amount_cents")[:1]), name=F("value_stream__name"))
        # Spelled as a filter: NOT (old = amount) is NULL, not true, where there is no allocation.
        .filter(Q(old__isnull=True, amount_cents__gt=0) | (Q(old__isnull=False) & ~Q(old=F("amount_cents"))))
        .order_by("value_stream__name")
    )
    return [
        AllocationChange(row["name"], row["old"], row["amount_cents"])
        for row in lines.values("name", "old", "amount_cents")
    ]
