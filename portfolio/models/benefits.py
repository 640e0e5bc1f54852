"""What an epic is expected to bring back, what it did bring back, and its MVP's verdict.

A benefit hypothesis is either a money benefit (an amount per month from a start month, in the
installation's one currency) or a leading indicator (a unit, baseline and target). Measurements
are append-only history, like OKR check-ins: a correction is a new measurement with a note.
The key result a benefit serves is linked on the OKR side (`okrs.KeyResultBenefit`): okrs sits
above portfolio, so portfolio cannot point at it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models.epics import MMP, Epic


class BenefitKind(models.TextChoices):
    MONEY = "money", "Money benefit"
    INDICATOR = "indicator", "Leading indicator"


class BenefitHypothesis(models.Model):
    """A benefit an epic (or one of its MVPs/MMPs) is expected to bring.

    Money: `monthly_amount_cents` per month from `start_month` on (planned benefit to a date is
    that amount times the months started by then). Indicator: `unit`, `baseline`, `target`.
    """

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="benefits")
    mmp = models.ForeignKey(MMP, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits")
    kind = models.CharField(max_length=10, choices=BenefitKind.choices, default=BenefitKind.MONEY)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    monthly_amount_cents = models.BigIntegerField(null=True, blank=True)
    start_month = models.DateField(null=True, blank=True, help_text="First day of the first month it pays.")
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["epic_id", "id"]
        verbose_name_plural = "benefit hypotheses"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BenefitKind.values), name="benefit_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=BenefitKind.MONEY)
                | (Q(monthly_amount_cents__isnull=False) & Q(start_month__isnull=False)),
                name="benefit_money_has_amount_and_start",
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount_cents__isnull=True) | Q(monthly_amount_cents__gte=0),
                name="benefit_amount_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["epic", "kind"], name="benefit_epic_kind_idx")]

    def __str__(self) -> str:
        return self.title


class BenefitMeasurement(models.Model):
    """One measured value of a benefit (append-only): money realised in the month of
    `measured_on` (`amount_cents`) or the indicator's value (`value`)."""

    benefit = models.ForeignKey(BenefitHypothesis, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField()
    amount_cents = models.BigIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["benefit_id", "measured_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__isnull=True) | Q(amount_cents__gte=0),
                name="benefit_measurement_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__isnull=False) | Q(value__isnull=False),
                name="benefit_measurement_has_value",
            ),
        ]
        indexes = [models.Index(fields=["benefit", "measured_on"], name="benefit_measured_idx")]


class MvpResult(models.TextChoices):
    VALIDATED = "validated", "Validated"
    INVALIDATED = "invalidated", "Invalidated"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class MvpDecision(models.TextChoices):
    PERSEVERE = "persevere", "Persevere"
    PIVOT = "pivot", "Pivot"
    STOP = "stop", "Stop"


class MvpEvaluation(models.Model):
    """The verdict on a released MVP's hypothesis and what the portfolio does about it.

    Written by the Kanban's `mvp_evaluation_record`, which moves the epic in the same
    transaction (pivot: back to analyzing; stop: not pursued; persevere: no move) and keeps the
    states it moved between here.
    """

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="mvp_evaluations")
    mmp = models.ForeignKey(MMP, on_delete=models.PROTECT, related_name="evaluations")
    result = models.CharField(max_length=12, choices=MvpResult.choices)
    evidence = models.TextField(max_length=4000)
    decision = models.CharField(max_length=10, choices=MvpDecision.choices)
    reason = models.TextField(max_length=2000)
    from_state = models.CharField(max_length=15)
    to_state = models.CharField(max_length=15)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=MvpResult.values), name="mvp_result_valid"),
            models.CheckConstraint(condition=Q(decision__in=MvpDecision.values), name="mvp_decision_valid"),
        ]
