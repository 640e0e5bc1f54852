"""The funding page of one quarter, read in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from core.history import history_as_of
from funding.models import Guardrail, QuarterBudget
from funding.selectors.actuals import DEFAULT_COST_TOLERANCE_PCT, cost_reconciliation
from funding.selectors.budgets import StreamRow, budget_list, stream_rows
from funding.selectors.guardrails import MixRow, guardrail_mix
from funding.selectors.history import HistoryRow, allocations_as_of, budget_history, budgets_as_of
from portfolio.models import Quarter
from portfolio.selectors.base import quarter_current, quarter_next, quarter_previous


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
    # Labour spend against the cost of the teams' sprints, per stream and month (issue 12).
    reconciliation: list = field(default_factory=list)

    @property
    def cost_flags(self) -> list:
        return [row for row in self.reconciliation if row.flagged]

    @property
    def reconciliation_named(self) -> list[tuple]:
        """(row, value stream name) per reconciliation row: the names from one dict of the page's
        streams, where the template used to scan every stream for every row (streams x rows)."""
        names = {row.value_stream.pk: row.value_stream.name for row in self.rows}
        return [(row, names.get(row.value_stream_id, "")) for row in self.reconciliation]

    @cached_property
    def totals(self) -> dict[str, int]:
        # Cached: the page reads eight totals, each a sum over every stream's row.
        return {
            "allocated": sum(r.allocated_cents for r in self.rows),
            "spent": sum(r.spent_cents for r in self.rows),
            "forecast": sum(r.forecast_cents for r in self.rows),
            "run_rate": sum(r.run_rate_cents for r in self.rows),
            "capacity": sum(r.capacity_cents for r in self.rows),
            "variance": sum(r.variance_cents for r in self.rows),
            # the totals of run rate, forecast and variance mean something once a stream has a rate
            "forecast_known": any(r.has_forecast for r in self.rows),
        }

    @property
    def chart(self) -> dict:
        """Allocation vs spend per value stream, as plain numbers of whole currency units for Chart.js."""
        return {
            "labels": [r.value_stream.name for r in self.rows],
            "allocated": [r.allocated_cents // 100 for r in self.rows],
            "spent": [r.spent_cents // 100 for r in self.rows],
            "forecast": [r.forecast_cents // 100 if r.has_forecast else None for r in self.rows],
        }


def funding_overview(*, quarter: Quarter, as_of: dt.date, past: bool = False) -> FundingOverview:
    """The funding page's data in a fixed number of queries, whatever the number of streams and rows.

    `past`: the page as it stood at the end of `as_of` (`?as_of=`): the budget, its guardrails
    and allocations from the history tables, spend to that day.
    """
    # Quarters never overlap (portfolio.services.base): one that contains the day is the current one.
    current = quarter if quarter.start <= as_of <= quarter.end else quarter_current(today=as_of)
    if past:
        budget = budgets_as_of(day=as_of).filter(quarter=quarter).first()
        guardrail = (
            history_as_of(Guardrail, day=as_of).filter(budget_id=budget.id).first() if budget is not None else None
        )
    else:
        budget = budget_list().select_related("guardrail").filter(quarter=quarter).first()
        guardrail = _guardrail_of(budget)
    # A history row's `instance` is the budget as a model instance (no query), for the filters below.
    live = budget.instance if past and budget is not None else budget
    rows = stream_rows(quarter=quarter, as_of=as_of, budget=live, current=current)
    if past:
        then = dict(
            allocations_as_of(day=as_of).filter(budget__quarter=quarter).values_list("value_stream_id", "amount_cents")
        )
        rows = [replace(row, allocated_cents=then.get(row.value_stream.pk, 0)) for row in rows]
    return FundingOverview(
        quarter=quarter,
        budget=budget,
        guardrail=guardrail,
        rows=rows,
        mix=guardrail_mix(quarter=quarter, guardrail=guardrail, current=current),
        history=budget_history(budget=live) if live is not None else [],
        previous=quarter_previous(quarter=quarter),
        next=quarter_next(quarter=quarter),
        as_of=as_of,
        reconciliation=cost_reconciliation(
            start=quarter.start,
            end=min(as_of, quarter.end),
            tolerance_pct=guardrail.cost_tolerance_pct if guardrail is not None else DEFAULT_COST_TOLERANCE_PCT,
        ),
    )


def _guardrail_of(budget: QuarterBudget | None) -> Guardrail | None:
    """The budget's guardrail, read with it (`select_related`): None without either."""
    if budget is None:
        return None
    try:
        return budget.guardrail
    except Guardrail.DoesNotExist:
        return None
