from rest_framework.routers import DefaultRouter

from vmo.api import snapshots

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("snapshots", snapshots.SnapshotViewSet, basename="snapshot")

urlpatterns = router.urls
