from django.urls import path
from rest_framework.routers import DefaultRouter

from vmo.api import forecasts, planning, snapshots, users

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("action-items", planning.ActionItemViewSet, basename="action-item")
router.register("planning-events", planning.PlanningEventViewSet, basename="planning-event")
router.register("snapshots", snapshots.SnapshotViewSet, basename="snapshot")
router.register("users", users.UserViewSet, basename="user")

urlpatterns = [
    path("value-streams/<int:pk>/forecast/", forecasts.ValueStreamForecastView.as_view(), name="value-stream-forecast"),
    path("epics/<int:pk>/forecast/", forecasts.EpicForecastView.as_view(), name="epic-forecast"),
    *router.urls,
]
