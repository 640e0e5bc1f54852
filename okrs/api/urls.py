from rest_framework.routers import DefaultRouter

from okrs.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("key-results", views.KeyResultViewSet, basename="key-result")

urlpatterns = router.urls
