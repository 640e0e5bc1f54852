"""The office itself: the VMO backlog, planning events and their outputs, rollup snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portfolio.models import MMP, Dependency, Epic, MapStage, Quarter, Risk, ValueStream
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
    RETROSPECTIVE = "retrospective", "Retrospective"


# The event kinds whose agenda holds a retrospective (went well / to improve / actions).
RETROSPECTIVE_KINDS = (PlanningEventKind.INSPECT_AND_ADAPT, PlanningEventKind.RETROSPECTIVE)


class BacklogHorizon(models.TextChoices):
    """The VMO keeps two backlogs: this month's work and the quarter and beyond."""

    SHORT_TERM = "short_term", "Short term (this month)"
    LONG_TERM = "long_term", "Long term (quarter and beyond)"


class RetroNoteKind(models.TextChoices):
    WENT_WELL = "went_well", "Went well"
    TO_IMPROVE = "to_improve", "To improve"


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
    # A team's retrospective names the team; a VMO retrospective (and every other kind) does not.
    # By name, not import: vmo reads funding through its selectors and only points at the row.
    team = models.ForeignKey(
        "funding.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="retrospectives"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(kind="retrospective"), name="planning_event_team_only_retro"
            )
        ]

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


MINUTES_IN_A_DAY = 24 * 60


class AgendaItem(models.Model):
    """A checklist line of an event's agenda (the kickoff agenda is created with the event), with
    its timebox (planned minutes) and the time it actually took (null until recorded)."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    planned_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    actual_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["event_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "position"], name="agenda_item_unique_position"),
            # No agenda line runs longer than a day; the check keeps a typo from skewing totals.
            models.CheckConstraint(
                condition=Q(planned_minutes__isnull=True) | Q(planned_minutes__lte=MINUTES_IN_A_DAY),
                name="agenda_item_planned_max_day",
            ),
            models.CheckConstraint(
                condition=Q(actual_minutes__isnull=True) | Q(actual_minutes__lte=MINUTES_IN_A_DAY),
                name="agenda_item_actual_max_day",
            ),
        ]


class SystemDemo(models.Model):
    """A system demo record of an inspect and adapt: what was shown, by whom, and the feedback."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="demos")
    shown = models.CharField(max_length=200, help_text="What was shown.")
    epic = models.ForeignKey(Epic, on_delete=models.SET_NULL, null=True, blank=True, related_name="system_demos")
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "id"]

    def __str__(self) -> str:
        return self.shown


class ProblemWorkshop(models.Model):
    """A problem-solving workshop of an inspect and adapt: the problem and its root causes; its
    improvement items are VMO backlog items (`ActionItem.workshop`)."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="workshops")
    problem = models.CharField(max_length=300)
    root_causes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "id"]

    def __str__(self) -> str:
        return self.problem


class RetroNote(models.Model):
    """A line of a retrospective (of the VMO, a team, or an inspect and adapt): what went well or
    what to improve. Its actions are VMO backlog items from the same event."""

    event = models.ForeignKey(PlanningEvent, on_delete=models.CASCADE, related_name="retro_notes")
    kind = models.CharField(max_length=12, choices=RetroNoteKind.choices)
    text = models.CharField(max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "kind", "id"]


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
    horizon = models.CharField(max_length=10, choices=BacklogHorizon.choices, default=BacklogHorizon.SHORT_TERM)
    # Set on an improvement item that came out of an inspect and adapt's problem-solving workshop.
    workshop = models.ForeignKey(
        ProblemWorkshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="improvements"
    )
    # An improvement item of a value stream map: the stage it improves (its stream is the item's).
    map_stage = models.ForeignKey(
        MapStage, on_delete=models.SET_NULL, null=True, blank=True, related_name="improvement_items"
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

    @property
    def days_open(self) -> int:
        """Age in days: from creation to today, or to closing for a closed item. A difference of
        two of the row's own columns, shown per row; the backlog's ageing counts are computed by
        the database (`vmo.selectors.backlog.backlog_horizons`)."""
        end = timezone.localdate(self.closed_at) if self.closed_at else timezone.localdate()
        return (end - timezone.localdate(self.created_at)).days


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
    # None before any month of the quarter has booked spend: no rate, so no forecast
    # (`funding.selectors.money.forecast_known`), not a forecast of 0.
    forecast_cents = models.BigIntegerField(null=True, blank=True)
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

    @property
    def dora_not_graded(self) -> str:
        """Why the stream has no DORA grade by its delivery mode ('' when graded)."""
        return (self.dora_detail or {}).get("not_graded", "")
