from rest_framework.routers import DefaultRouter

from kanban.api import policies, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("epics", views.EpicViewSet, basename="epic")
router.register("wip-limits", policies.WipLimitViewSet, basename="wip-limit")
router.register("entry-policies", policies.EntryPolicyViewSet, basename="entry-policy")

urlpatterns = router.urls
