from rest_framework.routers import DefaultRouter

from portfolio.api import epics, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("value-streams", views.ValueStreamViewSet, basename="value-stream")
router.register("quarters", views.QuarterViewSet, basename="quarter")
router.register("themes", views.StrategicThemeViewSet, basename="theme")
router.register("mmps", epics.MMPViewSet, basename="mmp")
router.register("dependencies", epics.DependencyViewSet, basename="dependency")
router.register("risks", epics.RiskViewSet, basename="risk")

urlpatterns = router.urls
