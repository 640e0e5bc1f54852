from django.urls import path

from vmo.views import backlog, health, overview, value_streams

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("vmo/", backlog.vmo_home, name="vmo-home"),
    path("value-streams/<slug:slug>/", value_streams.value_stream_detail, name="value-stream-detail"),
    path("value-streams/<slug:slug>/rollup/", value_streams.value_stream_rollup, name="value-stream-rollup"),
    path("value-streams/<slug:slug>/tasks/<str:task_id>/", value_streams.value_stream_task, name="value-stream-task"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
