from django.urls import path

from kanban import governance_views, part_views, views

urlpatterns = [
    path("kanban/", views.board, name="kanban-board"),
    path("kanban/scoring/", views.scoring, name="kanban-scoring"),
    path("kanban/flow/", views.flow, name="kanban-flow"),
    path("kanban/governance/", governance_views.governance, name="kanban-governance"),
    path("kanban/epics/new/", views.epic_new, name="kanban-epic-new"),
    path("kanban/mmps/new/", part_views.mmp_new, name="kanban-mmp-new"),
    path("kanban/mmps/<int:pk>/", part_views.mmp_edit, name="kanban-mmp-edit"),
    path("kanban/risks/new/", part_views.risk_new, name="kanban-risk-new"),
    path("kanban/risks/<int:pk>/", part_views.risk_edit, name="kanban-risk-edit"),
    path("kanban/dependencies/new/", part_views.dependency_new, name="kanban-dependency-new"),
    path("kanban/dependencies/<int:pk>/", part_views.dependency_edit, name="kanban-dependency-edit"),
    path("kanban/epics/<str:key>/", views.epic_page, name="kanban-epic"),
    path("kanban/epics/<str:key>/edit/", views.epic_edit, name="kanban-epic-edit"),
    path("kanban/epics/<str:key>/move/", views.epic_move_view, name="kanban-epic-move"),
    path("kanban/epics/<str:key>/score/", views.epic_score_view, name="kanban-epic-score"),
    path("kanban/epics/<str:key>/benefits/", views.epic_benefit_add, name="kanban-epic-benefit"),
    path("kanban/epics/<str:key>/measurements/", views.epic_measurement_add, name="kanban-epic-measurement"),
    path("kanban/epics/<str:key>/mvp-evaluation/", views.epic_mvp_evaluate, name="kanban-epic-mvp"),
    path("kanban/epics/<str:key>/gates/<int:gate_id>/decide/", views.epic_gate_decide_view, name="kanban-epic-gate"),
    path("kanban/epics/<str:key>/project/plan/", views.epic_project_plan_view, name="kanban-epic-project-plan"),
    path("kanban/epics/<str:key>/project/phases/", views.epic_phase_add_view, name="kanban-epic-phase-add"),
    path(
        "kanban/epics/<str:key>/project/phases/<int:phase_id>/",
        views.epic_phase_forecast_view,
        name="kanban-epic-phase-forecast",
    ),
    path("kanban/epics/<str:key>/project/milestones/", views.epic_milestone_add_view, name="kanban-epic-milestone-add"),
    path(
        "kanban/epics/<str:key>/project/milestones/<int:milestone_id>/",
        views.epic_milestone_progress_view,
        name="kanban-epic-milestone-progress",
    ),
    path("kanban/epics/<str:key>/go-decision/", views.epic_go_decision_view, name="kanban-epic-go-decision"),
]
