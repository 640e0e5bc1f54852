"""The funding page of one quarter, read in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from funding.models import Guardrail, QuarterBudget
from funding.selectors.budgets import StreamRow, budget_for_quarter, stream_rows
from funding.selectors.guardrails import MixRow, guardrail_mix
from funding.selectors.history import HistoryRow, budget_history
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
