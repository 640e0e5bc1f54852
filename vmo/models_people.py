"""People in their roles, obstacles, customer feedback and release trains (issue 20).

Kept beside `vmo.models` (which imports these names) so the office's planning models and these
stay in files of a readable size. Relations to funding's teams are by label: vmo reads funding's
tables only through its selectors, but its models may point at them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from portfolio.models import MMP, Epic, Quarter, ValueStream


class StreamRoleKind(models.TextChoices):
    PRODUCT_OWNER = "product_owner", "Product owner"
    SCRUM_MASTER = "scrum_master", "Scrum master"
    TEAM_MEMBER = "team_member", "Team member"
    LIAISON = "vmo_liaison", "VMO liaison"


TEAM_ROLES = (StreamRoleKind.PRODUCT_OWNER, StreamRoleKind.SCRUM_MASTER, StreamRoleKind.TEAM_MEMBER)


class ExecutiveActionTeam(models.Model):
    """The executive action team of a quarter: who sits on it, its charter, and (through
    `Impediment.escalated_to`) the obstacles escalated to it, which it owns until resolved."""

    quarter = models.OneToOneField(Quarter, on_delete=models.PROTECT, related_name="executive_action_team")
    charter = models.TextField(max_length=4000)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="executive_action_teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter__start"]

    def __str__(self) -> str:
        return f"Executive action team {self.quarter_id}"


class StreamRole(models.Model):
    """A person's role in a value stream: product owner, scrum master or member of one of its
    teams, or the stream's VMO liaison (no team). Used to invite people to events; it grants no
    permission (the role groups of DESIGN.md section 6 do)."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="people_roles")
    team = models.ForeignKey("funding.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stream_roles")
    role = models.CharField(max_length=20, choices=StreamRoleKind.choices)

    class Meta:
        ordering = ["value_stream_id", "team_id", "role", "user_id"]
        constraints = [
            # Team roles name their team; a liaison serves the whole stream.
            models.CheckConstraint(
                condition=(Q(role=StreamRoleKind.LIAISON) & Q(team__isnull=True))
                | (~Q(role=StreamRoleKind.LIAISON) & Q(team__isnull=False)),
                name="stream_role_team_iff_team_role",
            ),
            models.UniqueConstraint(
                fields=["team", "user", "role"], condition=Q(team__isnull=False), name="stream_role_unique_team"
            ),
            models.UniqueConstraint(
                fields=["value_stream", "user", "role"],
                condition=Q(team__isnull=True),
                name="stream_role_unique_liaison",
            ),
        ]

    def clean(self):
        if self.team_id and self.value_stream_id and self.team.value_stream_id != self.value_stream_id:
            raise ValidationError({"team": "This team belongs to another value stream."})


class Severity(models.IntegerChoices):
    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class Impediment(models.Model):
    """An obstacle a stream or team meets ("no team, no tools, people too busy"). Anyone raises
    one; escalated, it belongs to the executive action team of the quarter until resolved."""

    title = models.CharField(max_length=200, help_text="What blocks.")
    description = models.TextField(blank=True, max_length=4000)
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="impediments")
    team = models.ForeignKey(
        "funding.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="impediments"
    )
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="impediments_owned"
    )
    escalated_to = models.ForeignKey(
        ExecutiveActionTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="obstacles"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["severity", "raised_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalated_to__isnull=True, escalated_at__isnull=True)
                | Q(escalated_to__isnull=False, escalated_at__isnull=False),
                name="impediment_escalation_complete",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="impediment_resolved_after_raised",
            ),
        ]
        indexes = [models.Index(fields=["resolved_on", "severity"], name="impediment_open_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.team_id and self.value_stream_id and self.team.value_stream_id != self.value_stream_id:
            raise ValidationError({"team": "This team belongs to another value stream."})


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class CustomerFeedback(models.Model):
    """What a customer said about an epic or one of its MMPs (source, date, sentiment, quote).
    The epic is always set (taken from the MMP when one is named) so a stream's feedback is one
    join away."""

    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="customer_feedback")
    mmp = models.ForeignKey(MMP, on_delete=models.CASCADE, null=True, blank=True, related_name="customer_feedback")
    source = models.CharField(max_length=200, help_text="Who or where: a customer, a survey, a support ticket.")
    received_on = models.DateField()
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices)
    quote = models.TextField(max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name_plural = "customer feedback"

    def clean(self):
        if self.mmp_id is not None and self.epic_id is not None and self.mmp.epic_id != self.epic_id:
            raise ValidationError({"mmp": "This MMP belongs to another epic."})


class ReleaseTrain(models.Model):
    """Optional: an agile release train groups some of a value stream's teams. Streams without
    one keep planning by quarter only."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="release_trains")
    name = models.CharField(max_length=120)
    teams = models.ManyToManyField("funding.Team", related_name="release_trains", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["value_stream_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["value_stream", "name"], name="release_train_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramIncrement(models.Model):
    """A program increment of a release train (typically 8-12 weeks)."""

    train = models.ForeignKey(ReleaseTrain, on_delete=models.PROTECT, related_name="increments")
    name = models.CharField(max_length=60)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["train_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["train", "name"], name="increment_unique_name"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="increment_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class PIObjective(models.Model):
    """An objective of a program increment with the business value planned for it at PI planning
    (1-10) and the value the business owners gave it at the end (0-10; null until scored)."""

    increment = models.ForeignKey(ProgramIncrement, on_delete=models.PROTECT, related_name="objectives")
    team = models.ForeignKey("funding.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    planned_value = models.PositiveSmallIntegerField()
    actual_value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["increment_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_value__gte=1, planned_value__lte=10), name="pi_objective_planned_1_10"
            ),
            models.CheckConstraint(
                condition=Q(actual_value__isnull=True) | Q(actual_value__lte=10), name="pi_objective_actual_0_10"
            ),
        ]

    def __str__(self) -> str:
        return self.title
