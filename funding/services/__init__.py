"""Writes for funding, one module per sub-domain:

- `budgets`: quarter budgets (draft -> approved -> closed), allocations, transfers, and the
  Kanban's funding override;
- `guardrails`: a budget's guardrails;
- `teams`: fixed-cost teams and epics' cost estimates;
- `spend`: actual spend, voiding, CSV import;
- `scenarios`: what-if allocations and committing them;
- `optimise`: the cost-of-delay-optimal funding written as a new scenario;
- `participatory`: participatory budgeting sessions, pledges, rounds and their outcome;
- `common`: the permission gates, the budget lock and the audit trail they all use.

Every service checks the caller's permission itself (`PermissionDenied`) and is the one place
that does. The names below are funding's write API, so callers write `services.allocation_set`.
"""

from funding.services.budgets import (
    allocation_set,
    allocation_transfer,
    budget_approve,
    budget_close,
    budget_create,
    budget_total_set,
    funding_override_record,
)
from funding.services.common import FundingConflict
from funding.services.guardrails import guardrail_set
from funding.services.optimise import scenario_optimise
from funding.services.participatory import (
    CapSpec,
    pb_comment_add,
    pb_pledge_set,
    pb_round_close,
    pb_scenario_create,
    pb_session_close,
    pb_session_create,
)
from funding.services.scenarios import scenario_commit, scenario_create, scenario_line_set
from funding.services.spend import (
    SPEND_CSV_MAX_BYTES,
    SpendImportResult,
    neutralise_formula,
    spend_import_csv,
    spend_record,
    spend_void,
)
from funding.services.teams import SPRINT_ITEMS_MAX, epic_estimate_set, team_create, team_sprint_record, team_update

__all__ = [
    "SPEND_CSV_MAX_BYTES",
    "SPRINT_ITEMS_MAX",
    "CapSpec",
    "FundingConflict",
    "SpendImportResult",
    "allocation_set",
    "allocation_transfer",
    "budget_approve",
    "budget_close",
    "budget_create",
    "budget_total_set",
    "epic_estimate_set",
    "funding_override_record",
    "guardrail_set",
    "neutralise_formula",
    "pb_comment_add",
    "pb_pledge_set",
    "pb_round_close",
    "pb_scenario_create",
    "pb_session_close",
    "pb_session_create",
    "scenario_commit",
    "scenario_create",
    "scenario_line_set",
    "scenario_optimise",
    "spend_import_csv",
    "spend_record",
    "spend_void",
    "team_create",
    "team_sprint_record",
    "team_update",
]
