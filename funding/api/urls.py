from rest_framework.routers import DefaultRouter

from funding.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("budgets", views.BudgetViewSet, basename="budget")
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("guardrails", views.GuardrailViewSet, basename="guardrail")
router.register("teams", views.TeamViewSet, basename="team")
router.register("team-sprints", views.TeamSprintViewSet, basename="team-sprint")
router.register("spend", views.SpendViewSet, basename="spend")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("pb-sessions", views.PBSessionViewSet, basename="pb-session")

urlpatterns = router.urls
