"""The office itself: the VMO backlog, planning events and their outputs, rollup snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import MMP, Dependency, Quarter, Risk, ValueStream
from vmo.models_people import (  # noqa: F401  (registered with the app through this module)
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    Sentiment,
    Severity,
    StreamRole,
    StreamRoleKind,
)


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Priority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class PlanningEventKind(models.TextChoices):
    KICKOFF = "kickoff", "VMO kickoff"
    QUARTERLY_PLANNING = "quarterly_planning", "Quarterly planning"
    INSPECT_AND_ADAPT = "inspect_adapt", "Inspect and adapt"
    VMO_SYNC = "vmo_sync", "VMO sync"


class PlanningEventStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PlanningEvent(models.Model):
    """A VMO meeting. A quarterly planning event is the workspace that holds its outputs; when it
    closes, `plan_snapshot` keeps the plan as it stood (allocations, ranks, states, KR targets)."""

    kind = models.CharField(max_length=20, choices=PlanningEventKind.choices)
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="planning_events")
    title = models.CharField(max_length=200)
    date = models.DateField()
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="planning_events", blank=True)
    notes = models.TextField(blank=True, max_length=20000)
    status = models.CharField(max_length=10, choices=PlanningEventStatus.choices, default=PlanningEventStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Last quarter's results as they stood when the event was prepared (grades, spend).
    previous_results = models.JSONField(default=dict, blank=True)
    # The plan as it stood when the event closed, for "then and now" on the overview.
    plan_snapshot = models.JSONField(default=dict, blank=True)
    risks = models.ManyToManyField(Risk, related_name="planning_events", blank=True)
    dependencies = models.ManyToManyField(Dependency, related_name="planning_events", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class PlannedMMP(models.Model):
    """An MMP selected in a planning event for the quarter, with its cost when selected."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="planned_mmps")
    mmp = models.ForeignKey(MMP, on_delete=models.PROTECT, related_name="+")
    cost_cents = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "mmp"], name="planned_mmp_unique")]


class CommunicationItem(models.Model):
    """A line of a planning event's communication plan."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="communications")
    audience = models.CharField(max_length=200)
    message = models.TextField(max_length=2000)
    channel = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]


class AgendaItem(models.Model):
    """A checklist line of an event's agenda (the kickoff agenda is created with the event)."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["event_id", "position"]
        constraints = [models.UniqueConstraint(fields=["event", "position"], name="agenda_item_unique_position")]


class ActionItem(models.Model):
    """An item of the VMO backlog: usually an executive action item from a meeting."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    rank = models.PositiveIntegerField(default=0, help_text="Order within the backlog; lower comes first.")
    source_event = models.ForeignKey(
        PlanningEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    value_stream = models.ForeignKey(
        ValueStream, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "priority", "due", "id"]

    def __str__(self) -> str:
        return self.title


# The delivery figures a snapshot stores, each a column of the same name (and an API field):
# the rollup writes them, the API and pages read them.
SNAPSHOT_DELIVERY_FIGURES = (
    "delivery_progress",
    "flow_velocity",
    "flow_time_median_days",
    "flow_time_p85_days",
    "flow_load",
    "flow_efficiency",
    "flow_distribution",
    "deployments_per_week",
    "deployment_days_per_week",
    "lead_time_median_hours",
    "change_failure_rate",
    "recovery_time_median_hours",
    "time_to_restore_median_hours",
    "dora_level",
)


class ValueStreamSnapshot(models.Model):
    """The rolled-up figures of one value stream in one quarter on one day (upserted by the rollup
    task; daily rows give trends)."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="snapshots")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    delivery_progress = models.FloatField(null=True, blank=True)
    flow_velocity = models.PositiveIntegerField(default=0)
    flow_time_median_days = models.FloatField(null=True, blank=True)
    flow_time_p85_days = models.FloatField(null=True, blank=True)
    flow_load = models.PositiveIntegerField(default=0)
    flow_efficiency = models.FloatField(null=True, blank=True)
    flow_distribution = models.JSONField(default=dict)
    deployments_per_week = models.FloatField(null=True, blank=True)
    deployment_days_per_week = models.FloatField(null=True, blank=True)
    lead_time_median_hours = models.FloatField(null=True, blank=True)
    change_failure_rate = models.FloatField(null=True, blank=True)
    recovery_time_median_hours = models.FloatField(null=True, blank=True)
    time_to_restore_median_hours = models.FloatField(null=True, blank=True)
    # Overall level from the metrics with data only (see `dora_detail` for how many).
    dora_level = models.CharField(max_length=10, blank=True)
    # {"levels": {metric: level} for the metrics with data, "graded": how many of the four,
    #  "no_data": {metric: why it is null}}. One JSON column rather than six: the rollup upserts
    # every stream's row in one statement, and SQLite allows 999 variables per statement.
    dora_detail = models.JSONField(default=dict, blank=True)

    allocated_cents = models.BigIntegerField(default=0)
    spent_cents = models.BigIntegerField(default=0)
    forecast_cents = models.BigIntegerField(default=0)
    okr_score = models.FloatField(null=True, blank=True)
    # What the money bought (issue 12): benefit, actual cost, return, time to value,
    # predictability, cost reconciliation. One JSON column for the same reason as `dora_detail`;
    # keys and their null rules are `vmo.services.value_figures.VALUE_FIGURES`.
    value_detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["value_stream_id", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["value_stream", "quarter", "as_of"], name="snapshot_unique_day"),
            models.CheckConstraint(
                condition=Q(delivery_progress__isnull=True)
                | (Q(delivery_progress__gte=0) & Q(delivery_progress__lte=1)),
                name="snapshot_progress_0_1",
            ),
        ]
        indexes = [models.Index(fields=["quarter", "value_stream", "-as_of"], name="snapshot_latest_idx")]

    @property
    def dora_levels(self) -> dict[str, str]:
        return (self.dora_detail or {}).get("levels", {})

    @property
    def dora_metrics_graded(self) -> int:
        return (self.dora_detail or {}).get("graded", 0)

    @property
    def dora_no_data(self) -> dict[str, str]:
        return (self.dora_detail or {}).get("no_data", {})
