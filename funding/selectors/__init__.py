"""Reads for funding, one module per sub-domain: `money` (each value stream's allocated, spent
and forecast, the quarter's months), `budgets`, `guardrails`, `teams` (and estimates), `spend`,
`scenarios`, `history`, `overview` (the funding page), `room` (funding room for the Kanban),
`composed` (allocations and spend as the office's pages and reports read them).

The names below are the ones other apps call: vmo reads the money figures, kanban asks for the
approval threshold and the funding room before a move.
"""

from funding.selectors.composed import (
    allocation_amount,
    allocation_changes,
    allocations_of_quarter,
    spend_by_month,
    spend_by_value_stream,
    spend_rows,
)
from funding.selectors.guardrails import approval_threshold_cents
from funding.selectors.money import MoneyFigures, quarter_months, value_stream_money
from funding.selectors.overview import FundingOverview, funding_overview
from funding.selectors.room import FundingCheck, funding_quarter, funding_room
from funding.selectors.run_change import run_change_by_month, run_change_totals
from funding.selectors.sprints import (
    Predictability,
    team_predictability,
    value_stream_predictability,
    value_stream_sprint_panel,
)

__all__ = [
    "FundingCheck",
    "FundingOverview",
    "MoneyFigures",
    "Predictability",
    "allocation_amount",
    "allocation_changes",
    "allocations_of_quarter",
    "approval_threshold_cents",
    "funding_overview",
    "funding_quarter",
    "funding_room",
    "quarter_months",
    "run_change_by_month",
    "run_change_totals",
    "spend_by_month",
    "spend_by_value_stream",
    "spend_rows",
    "team_predictability",
    "value_stream_money",
    "value_stream_predictability",
    "value_stream_sprint_panel",
]
