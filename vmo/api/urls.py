from rest_framework.routers import DefaultRouter

from vmo.api import planning

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("action-items", planning.ActionItemViewSet, basename="action-item")
router.register("planning-events", planning.PlanningEventViewSet, basename="planning-event")

urlpatterns = router.urls
