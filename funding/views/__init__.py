"""Funding pages, one module per sub-domain: `budgets` (the quarter page: budget, allocations,
transfers), `guardrails`, `teams` (and estimates), `spend`, `scenarios`; `common` holds the one
POST helper they share. `funding/urls.py` imports the modules directly."""
