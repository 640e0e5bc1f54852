from django.urls import path

from funding import views

urlpatterns = [
    path("funding/", views.funding_home, name="funding-home"),
    path("funding/quarters/<int:quarter_id>/budget/", views.budget_save, name="funding-budget-save"),
    path(
        "funding/budgets/<int:budget_id>/approve/",
        views.budget_transition,
        {"action": "approve"},
        name="funding-budget-approve",
    ),
    path(
        "funding/budgets/<int:budget_id>/close/",
        views.budget_transition,
        {"action": "close"},
        name="funding-budget-close",
    ),
    path(
        "funding/budgets/<int:budget_id>/allocations/<int:value_stream_id>/",
        views.allocation_save,
        name="funding-allocation-save",
    ),
    path("funding/budgets/<int:budget_id>/transfer/", views.allocation_transfer, name="funding-allocation-transfer"),
    path("funding/budgets/<int:budget_id>/guardrails/", views.guardrail_save, name="funding-guardrail-save"),
    path("funding/teams/", views.team_index, name="funding-teams"),
    path("funding/teams/<int:team_id>/", views.team_edit, name="funding-team-edit"),
    path("funding/spend/", views.spend_index, name="funding-spend"),
    path("funding/spend/export.csv", views.spend_export, name="funding-spend-export"),
    path("funding/spend/<int:spend_id>/void/", views.spend_void, name="funding-spend-void"),
    path("funding/estimates/", views.estimate_index, name="funding-estimates"),
    path("funding/estimates/<int:epic_id>/", views.estimate_edit, name="funding-estimate-edit"),
    path("funding/scenarios/", views.scenario_index, name="funding-scenarios"),
    path("funding/scenarios/<int:scenario_id>/", views.scenario_detail, name="funding-scenario"),
    path("funding/scenarios/<int:scenario_id>/commit/", views.scenario_commit, name="funding-scenario-commit"),
]
