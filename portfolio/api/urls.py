from django.urls import path
from rest_framework.routers import DefaultRouter

from portfolio.api import benefits, delivery, epic_parts, events, maps, projects, settings, views, webhooks

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("value-streams", views.ValueStreamViewSet, basename="value-stream")
router.register("quarters", views.QuarterViewSet, basename="quarter")
router.register("themes", views.StrategicThemeViewSet, basename="theme")
router.register("mmps", epic_parts.MMPViewSet, basename="mmp")
router.register("dependencies", epic_parts.DependencyViewSet, basename="dependency")
router.register("risks", epic_parts.RiskViewSet, basename="risk")
router.register("benefits", benefits.BenefitViewSet, basename="benefit")
router.register("benefit-measurements", benefits.BenefitMeasurementViewSet, basename="benefit-measurement")
router.register("project-plans", projects.ProjectPlanViewSet, basename="project-plan")
router.register("phases", projects.PhaseViewSet, basename="phase")
router.register("milestones", projects.MilestoneViewSet, basename="milestone")
router.register("stage-gates", projects.StageGateViewSet, basename="stage-gate")
router.register("event-subscriptions", events.EventSubscriptionViewSet, basename="event-subscription")
router.register("work-items", delivery.WorkItemViewSet, basename="work-item")
router.register("deployments", delivery.DeploymentViewSet, basename="deployment")
router.register("incidents", delivery.IncidentViewSet, basename="incident")
router.register("source-rules", settings.SourceRuleViewSet, basename="source-rule")
router.register("status-mappings", settings.StatusMappingViewSet, basename="status-mapping")
router.register("setting-changes", settings.SettingChangeViewSet, basename="setting-change")
router.register("value-stream-maps", maps.ValueStreamMapViewSet, basename="value-stream-map")
router.register("map-stages", maps.MapStageViewSet, basename="map-stage")

urlpatterns = [
    *router.urls,
    path("org-settings/", settings.OrgSettingsView.as_view(), name="org-settings"),
    path("webhooks/preview/", settings.PayloadPreviewView.as_view(), name="webhook-preview"),
    path("webhooks/github/", webhooks.GitHubWebhook.as_view(), name="webhook-github"),
    path("webhooks/gitlab/", webhooks.GitLabWebhook.as_view(), name="webhook-gitlab"),
    path("webhooks/jira/", webhooks.JiraWebhook.as_view(), name="webhook-jira"),
    path("webhooks/pagerduty/", webhooks.PagerDutyWebhook.as_view(), name="webhook-pagerduty"),
]
