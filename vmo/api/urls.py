from django.urls import path
from rest_framework.routers import DefaultRouter

from vmo.api import event_outputs, forecasts, people, planning, snapshots, users

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("action-items", planning.ActionItemViewSet, basename="action-item")
router.register("planning-events", planning.PlanningEventViewSet, basename="planning-event")
router.register("agenda-items", event_outputs.AgendaItemViewSet, basename="agenda-item")
router.register("system-demos", event_outputs.SystemDemoViewSet, basename="system-demo")
router.register("problem-workshops", event_outputs.ProblemWorkshopViewSet, basename="problem-workshop")
router.register("retrospective-notes", event_outputs.RetroNoteViewSet, basename="retrospective-note")
router.register("snapshots", snapshots.SnapshotViewSet, basename="snapshot")
router.register("users", users.UserViewSet, basename="user")
router.register("executive-action-teams", people.ExecutiveActionTeamViewSet, basename="executive-action-team")
router.register("stream-roles", people.StreamRoleViewSet, basename="stream-role")
router.register("impediments", people.ImpedimentViewSet, basename="impediment")
router.register("customer-feedback", people.CustomerFeedbackViewSet, basename="customer-feedback")
router.register("release-trains", people.ReleaseTrainViewSet, basename="release-train")
router.register("program-increments", people.ProgramIncrementViewSet, basename="program-increment")
router.register("pi-objectives", people.PIObjectiveViewSet, basename="pi-objective")

urlpatterns = [
    path("value-streams/<int:pk>/forecast/", forecasts.ValueStreamForecastView.as_view(), name="value-stream-forecast"),
    path("epics/<int:pk>/forecast/", forecasts.EpicForecastView.as_view(), name="epic-forecast"),
    path("planning-events/<int:pk>/results/", event_outputs.EventResultsView.as_view(), name="planning-event-results"),
    *router.urls,
]
