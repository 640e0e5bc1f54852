from django.urls import path

from vmo.views import background, backlog, drift, health, overview, people, planning, reports, value_streams

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("overview/action-items/", overview.action_item, name="overview-action-item"),
    path("overview/economy/", reports.economy, name="overview-economy"),
    path("reports/monthly/", reports.monthly_report_page, name="report-monthly"),
    path("reports/monthly.pdf", reports.monthly_report_pdf, name="report-monthly-pdf"),
    path("exports/<slug:name>.<str:fmt>", reports.export, name="export"),
    path("vmo/drift/", drift.drift, name="vmo-drift"),
    path("vmo/", backlog.vmo_home, name="vmo-home"),
    path("vmo/action-items/", backlog.action_item_add, name="vmo-action-item-add"),
    path("vmo/action-items/<int:pk>/status/", backlog.action_item_status, name="vmo-action-item-status"),
    path("vmo/action-items/<int:pk>/move/", backlog.action_item_move, name="vmo-action-item-move"),
    path("vmo/planning/", planning.planning_list, name="vmo-planning-list"),
    path("vmo/planning/<int:pk>/", planning.planning_detail, name="vmo-planning-detail"),
    path("vmo/planning/<int:pk>/summary/", planning.planning_summary, name="vmo-planning-summary"),
    path("vmo/planning/<int:pk>/mmps/", planning.planning_add_mmp, name="vmo-planning-add-mmp"),
    path(
        "vmo/planning/<int:pk>/mmps/<int:mmp_id>/remove/", planning.planning_remove_mmp, name="vmo-planning-remove-mmp"
    ),
    path("vmo/planning/<int:pk>/communications/", planning.planning_add_communication, name="vmo-planning-add-comm"),
    path("vmo/planning/<int:pk>/action-items/", planning.planning_add_action_item, name="vmo-planning-add-action"),
    path("vmo/planning/<int:pk>/links/", planning.planning_link, name="vmo-planning-link"),
    path(
        "vmo/planning/<int:pk>/agenda/<int:item_id>/toggle/",
        planning.planning_agenda_toggle,
        name="vmo-planning-agenda-toggle",
    ),
    path("vmo/planning/<int:pk>/refresh-results/", planning.planning_refresh_results, name="vmo-planning-refresh"),
    path("vmo/planning/<int:pk>/close/", planning.planning_close, name="vmo-planning-close"),
    path("vmo/impediments/", people.impediments, name="vmo-impediments"),
    path("vmo/impediments/<int:pk>/escalate/", people.impediment_escalate, name="vmo-impediment-escalate"),
    path("vmo/impediments/<int:pk>/resolve/", people.impediment_resolve, name="vmo-impediment-resolve"),
    path("vmo/feedback/", people.feedback, name="vmo-feedback"),
    path("vmo/executive-action-team/", people.executive_action_team, name="vmo-executive-action-team"),
    path("vmo/trains/<int:pk>/increments/", people.program_increment_add, name="vmo-increment-add"),
    path("vmo/increments/<int:pk>/", people.increment, name="vmo-increment"),
    path("vmo/objectives/<int:pk>/score/", people.pi_objective_score, name="vmo-objective-score"),
    path("value-streams/<slug:slug>/roles/", people.stream_role_add, name="value-stream-role-add"),
    path(
        "value-streams/<slug:slug>/roles/<int:pk>/remove/", people.stream_role_remove, name="value-stream-role-remove"
    ),
    path("value-streams/<slug:slug>/trains/", people.release_train_add, name="value-stream-train-add"),
    path("value-streams/<slug:slug>/", value_streams.value_stream_detail, name="value-stream-detail"),
    path("value-streams/<slug:slug>/rollup/", value_streams.value_stream_rollup, name="value-stream-rollup"),
    path(
        "value-streams/<slug:slug>/rollup/progress/",
        value_streams.value_stream_rollup_progress,
        name="value-stream-rollup-progress",
    ),
    path("background-status/", background.background_status, name="background-status"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
