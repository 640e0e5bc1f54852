from rest_framework.routers import DefaultRouter

from vmo.api import planning, snapshots

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("action-items", planning.ActionItemViewSet, basename="action-item")
router.register("planning-events", planning.PlanningEventViewSet, basename="planning-event")
router.register("snapshots", snapshots.SnapshotViewSet, basename="snapshot")

urlpatterns = router.urls
