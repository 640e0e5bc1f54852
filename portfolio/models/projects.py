"""Project (waterfall) mode of an epic: its plan, phases, milestones and stage gates.

An epic is in project mode when its effective delivery mode is `project` (its own, else its
value stream's). Its `ProjectPlan` carries the baseline budget (budget at completion, BAC), the
sponsor and the earned-value method; phases and milestones carry baseline and forecast dates;
stage gates are decided by a VMO director or the sponsor, each decision an append-only record.
Earned value itself is computed in `funding.selectors.earned_value` (it needs actual cost);
its definitions are written once in `portfolio/metrics.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from portfolio.models.epics import Epic


class EarnedValueMethod(models.TextChoices):
    MILESTONES = "milestones", "Milestone completion"
    PERCENT_COMPLETE = "percent_complete", "Percent complete (work items)"


class ProjectPlan(models.Model):
    """The baseline of a project-mode epic: budget at completion, sponsor, earned-value method.

    Created with the stage gates of `settings.PROJECT_STAGE_GATES` (`project_plan_create`).
    """

    epic = models.OneToOneField(Epic, on_delete=models.PROTECT, related_name="project")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="sponsored_projects"
    )
    baseline_budget_cents = models.BigIntegerField(help_text="Budget at completion (BAC), in cents.")
    ev_method = models.CharField(max_length=20, choices=EarnedValueMethod.choices, default=EarnedValueMethod.MILESTONES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(baseline_budget_cents__gte=0), name="project_budget_non_negative"),
            models.CheckConstraint(condition=Q(ev_method__in=EarnedValueMethod.values), name="project_ev_method_valid"),
        ]

    def __str__(self) -> str:
        return f"project plan of {self.epic_id}"


class ProjectPhase(models.Model):
    """A phase of a project (e.g. design, build, test) with baseline and forecast dates."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="phases")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    baseline_start = models.DateField()
    baseline_end = models.DateField()
    forecast_start = models.DateField()
    forecast_end = models.DateField()

    class Meta:
        ordering = ["epic_id", "position", "baseline_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(baseline_end__gte=F("baseline_start")), name="phase_baseline_ordered"),
            models.CheckConstraint(condition=Q(forecast_end__gte=F("forecast_start")), name="phase_forecast_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A milestone with its baseline and forecast dates; `completed_on` once reached.

    `weight` is its share of the budget for earned value by milestone completion (a milestone
    of weight 2 earns twice what one of weight 1 does; see `portfolio/metrics.py`).
    """

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="milestones")
    phase = models.ForeignKey(ProjectPhase, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones")
    name = models.CharField(max_length=120)
    baseline_date = models.DateField()
    forecast_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["epic_id", "baseline_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class GateStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class GateDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class StageGate(models.Model):
    """A stage gate of a project (`key` e.g. "planning"); `status` is its latest decision's.

    Decided only through `stage_gate_decide`, which writes a `StageGateDecision` record too.
    """

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="stage_gates")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    planned_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=GateStatus.choices, default=GateStatus.PENDING)

    class Meta:
        ordering = ["epic_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["epic", "key"], name="stage_gate_unique_key"),
            models.CheckConstraint(condition=Q(status__in=GateStatus.values), name="stage_gate_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class StageGateDecision(models.Model):
    """The record of a gate decision (append-only): who, when, what, why."""

    gate = models.ForeignKey(StageGate, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=10, choices=GateDecision.choices)
    note = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["gate_id", "-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=GateDecision.values), name="gate_decision_valid"),
        ]
