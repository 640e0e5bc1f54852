from rest_framework.routers import DefaultRouter

from kanban.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("epics", views.EpicViewSet, basename="epic")

urlpatterns = router.urls
