"""Objectives and key results per quarter, with append-only check-ins.

KR progress = (current - baseline) / (target - baseline); a "decrease" KR is the mirror, which
the same formula gives because target < baseline. The grade clamps progress to 0..1 and the raw
progress is kept. Objective score = weighted mean of its KRs' grades (computed in the database).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from okrs.querysets import KeyResultQuerySet, ObjectiveQuerySet
from okrs.scoring import score_band
from portfolio.models import MMP, Epic, Quarter, StrategicTheme, ValueStream

# KR values (baseline, target, current, check-ins) keep 15 significant digits, 4 of them decimals.
# SQLite holds NUMERIC values as binary floats exact to 15 digits only: 12345678901234.5678 came
# back as ...234.6000, and 99999999999999.9999 as 1E+14, which no longer fit and raised on read
# (a 500). 15 digits (up to 99,999,999,999.9999) are exact on every backend.
KR_VALUE_DIGITS = 15
KR_VALUE_PLACES = 4


class ObjectiveLevel(models.TextChoices):
    PORTFOLIO = "portfolio", "Portfolio"
    VALUE_STREAM = "value_stream", "Value stream"


class Objective(models.Model):
    """A qualitative goal for a quarter, at portfolio or value-stream level."""

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="objectives")
    level = models.CharField(max_length=12, choices=ObjectiveLevel.choices, default=ObjectiveLevel.VALUE_STREAM)
    value_stream = models.ForeignKey(
        ValueStream, on_delete=models.PROTECT, null=True, blank=True, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_objectives"
    )
    theme = models.ForeignKey(
        StrategicTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="objectives"
    )
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObjectiveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["quarter_id", "level", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=ObjectiveLevel.PORTFOLIO) & Q(value_stream__isnull=True))
                | (Q(level=ObjectiveLevel.VALUE_STREAM) & Q(value_stream__isnull=False)),
                name="objective_level_matches_value_stream",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score_band(self) -> str:
        """The band of the `score` annotation (`with_scores()`), '' when unscored or not annotated."""
        return score_band(getattr(self, "score", None))


class KRDirection(models.TextChoices):
    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"


class KRCommitment(models.TextChoices):
    COMMITTED = "committed", "Committed"
    ASPIRATIONAL = "aspirational", "Aspirational"


class KeyResult(models.Model):
    """A measurable result that shows progress towards an objective."""

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="key_results")
    title = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    direction = models.CharField(max_length=10, choices=KRDirection.choices, default=KRDirection.INCREASE)
    baseline = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    target = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    current = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    commitment = models.CharField(max_length=12, choices=KRCommitment.choices, default=KRCommitment.COMMITTED)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Latest check-in's 0-10.")
    epics = models.ManyToManyField(Epic, related_name="key_results", blank=True)
    mmps = models.ManyToManyField(MMP, related_name="key_results", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KeyResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(target=F("baseline")), name="kr_target_differs_from_baseline"),
            models.CheckConstraint(
                condition=(Q(direction=KRDirection.INCREASE) & Q(target__gt=F("baseline")))
                | (Q(direction=KRDirection.DECREASE) & Q(target__lt=F("baseline"))),
                name="kr_target_matches_direction",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="kr_weight_positive"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__lte=10), name="kr_confidence_0_10"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CheckIn(models.Model):
    """An append-only reading of a key result: value, confidence 0-10 and a note."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.PROTECT, related_name="check_ins")
    date = models.DateField()
    value = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    confidence = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key_result_id", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(confidence__lte=10), name="check_in_confidence_0_10"),
        ]
