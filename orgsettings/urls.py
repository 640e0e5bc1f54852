from django.urls import path

from orgsettings import views

urlpatterns = [
    path("settings/", views.settings_home, name="settings-home"),
    path("settings/value-streams/", views.value_stream_index, name="settings-value-streams"),
    path("settings/value-streams/<int:value_stream_id>/", views.value_stream_edit, name="settings-value-stream-edit"),
    path("settings/quarters/", views.quarter_index, name="settings-quarters"),
    path("settings/quarters/<int:quarter_id>/", views.quarter_edit, name="settings-quarter-edit"),
    path("settings/kanban/", views.kanban_rules, name="settings-kanban"),
    path("settings/display/", views.display_settings, name="settings-display"),
    path("settings/sources/", views.sources, name="settings-sources"),
    path("settings/sources/rules/<int:rule_id>/", views.source_rule_edit, name="settings-source-rule-edit"),
    path("settings/sources/mappings/<int:mapping_id>/", views.status_mapping_edit, name="settings-status-mapping-edit"),
    path("settings/users/", views.user_index, name="settings-users"),
    path("settings/users/<int:user_id>/", views.user_edit, name="settings-user-edit"),
]
