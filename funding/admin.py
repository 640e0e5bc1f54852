"""Admin for funding: read-only for money.

Budgets, allocations, spend and scenarios change only through the services (locks, revisions,
rollup marks), which the pages and the API call; the admin shows them with their history and
never deletes a financial row. Teams are plain master data and editable here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from funding.models import (
    Allocation,
    BudgetRevision,
    EpicEstimate,
    FundingOverride,
    Guardrail,
    QuarterBudget,
    Scenario,
    ScenarioLine,
    Spend,
    Team,
)


class ReadOnlyMoneyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterBudget)
class QuarterBudgetAdmin(ReadOnlyMoneyAdmin):
    list_display = ["quarter", "total_cents", "status", "approved_by", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["quarter", "approved_by"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMoneyAdmin):
    list_display = ["budget", "value_stream", "amount_cents", "note"]
    list_filter = ["budget__quarter"]
    list_select_related = ["budget", "value_stream"]


@admin.register(BudgetRevision)
class BudgetRevisionAdmin(ReadOnlyMoneyAdmin):
    list_display = ["budget", "reason", "created_by", "created_at"]
    list_select_related = ["budget", "created_by"]


@admin.register(Guardrail)
class GuardrailAdmin(ReadOnlyMoneyAdmin):
    list_display = ["budget", "business_features_pct", "enablers_pct", "tech_debt_pct", "ktlo_pct"]


@admin.register(Spend)
class SpendAdmin(ReadOnlyMoneyAdmin):
    list_display = ["month", "value_stream", "amount_cents", "category", "epic", "source", "voided_at"]
    list_filter = ["category", "source", "value_stream"]
    list_select_related = ["value_stream", "epic"]
    date_hierarchy = "month"


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyMoneyAdmin):
    list_display = ["name", "budget", "created_by", "committed_at"]


@admin.register(ScenarioLine)
class ScenarioLineAdmin(ReadOnlyMoneyAdmin):
    list_display = ["scenario", "value_stream", "amount_cents"]


@admin.register(FundingOverride)
class FundingOverrideAdmin(ReadOnlyMoneyAdmin):
    list_display = ["epic", "quarter", "created_by", "created_at"]


@admin.register(EpicEstimate)
class EpicEstimateAdmin(ReadOnlyMoneyAdmin):
    list_display = ["epic", "amount_cents", "team", "sprints", "updated_by"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "value_stream", "cost_per_sprint_cents", "sprint_length_days", "headcount", "active"]
    list_filter = ["active", "value_stream"]
    filter_horizontal = ["members"]

    def has_delete_permission(self, request, obj=None):
        return False
