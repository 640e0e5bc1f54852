from django.urls import path

from funding.views import budgets, guardrails, participatory, scenarios, spend, teams

urlpatterns = [
    path("funding/", budgets.funding_home, name="funding-home"),
    path("funding/quarters/<int:quarter_id>/budget/", budgets.budget_save, name="funding-budget-save"),
    path("funding/budgets/<int:budget_id>/approve/", budgets.budget_approve, name="funding-budget-approve"),
    path("funding/budgets/<int:budget_id>/close/", budgets.budget_close, name="funding-budget-close"),
    path(
        "funding/budgets/<int:budget_id>/allocations/<int:value_stream_id>/",
        budgets.allocation_save,
        name="funding-allocation-save",
    ),
    path("funding/budgets/<int:budget_id>/transfer/", budgets.allocation_transfer, name="funding-allocation-transfer"),
    path("funding/budgets/<int:budget_id>/guardrails/", guardrails.guardrail_save, name="funding-guardrail-save"),
    path("funding/teams/", teams.team_index, name="funding-teams"),
    path("funding/teams/<int:team_id>/", teams.team_edit, name="funding-team-edit"),
    path("funding/teams/<int:team_id>/sprints/", teams.team_sprint_index, name="funding-team-sprints"),
    path("funding/spend/", spend.spend_index, name="funding-spend"),
    path("funding/spend/export.csv", spend.spend_export, name="funding-spend-export"),
    path("funding/spend/<int:spend_id>/void/", spend.spend_void, name="funding-spend-void"),
    path("funding/estimates/", teams.estimate_index, name="funding-estimates"),
    path("funding/estimates/<int:epic_id>/", teams.estimate_edit, name="funding-estimate-edit"),
    path("funding/scenarios/", scenarios.scenario_index, name="funding-scenarios"),
    path("funding/scenarios/<int:scenario_id>/", scenarios.scenario_detail, name="funding-scenario"),
    path("funding/scenarios/<int:scenario_id>/commit/", scenarios.scenario_commit, name="funding-scenario-commit"),
    path(
        "funding/scenarios/<int:scenario_id>/optimise/", scenarios.scenario_optimise, name="funding-scenario-optimise"
    ),
    path("funding/participatory/", participatory.pb_index, name="funding-pb-index"),
    path("funding/participatory/<int:session_id>/", participatory.pb_session, name="funding-pb"),
    path("funding/participatory/<int:session_id>/board/", participatory.pb_board, name="funding-pb-board"),
    path("funding/participatory/<int:session_id>/pledge/", participatory.pb_pledge, name="funding-pb-pledge"),
    path("funding/participatory/<int:session_id>/comment/", participatory.pb_comment, name="funding-pb-comment"),
    path(
        "funding/participatory/<int:session_id>/round-close/",
        participatory.pb_director_action,
        {"action": "round-close"},
        name="funding-pb-round-close",
    ),
    path(
        "funding/participatory/<int:session_id>/close/",
        participatory.pb_director_action,
        {"action": "close"},
        name="funding-pb-close",
    ),
    path(
        "funding/participatory/<int:session_id>/scenario/",
        participatory.pb_director_action,
        {"action": "scenario"},
        name="funding-pb-scenario",
    ),
]
