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
from portfolio.people import display_name

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


class KRMetric(models.TextChoices):
    """Computed figures of a value stream a key result can be bound to (the keys of the metrics
    catalogue, `portfolio/metrics.py`). A bound KR's value comes from each rollup, never typed."""

    LEAD_TIME = "lead_time", "Lead time for changes (median, hours)"
    DEPLOYMENT_FREQUENCY = "deployment_frequency", "Deployment frequency (deployments per week)"
    CHANGE_FAILURE_RATE = "change_failure_rate", "Change failure rate (%)"
    RECOVERY_TIME = "recovery_time", "Failed deployment recovery time (median, hours)"
    FLOW_VELOCITY = "flow_velocity", "Flow velocity (items done in the quarter)"
    FLOW_TIME = "flow_time", "Flow time (median, days)"
    FLOW_EFFICIENCY = "flow_efficiency", "Flow efficiency (%)"
    DELIVERY_PROGRESS = "delivery_progress", "Delivery progress (%)"


# Where each bound metric's value comes from in the rollup's figures (the snapshot field), the
# factor to the KR's unit (ratios are shown in percent, like every percentage here) and the unit.
KR_METRIC_FIGURES: dict[str, tuple[str, int, str]] = {
    KRMetric.LEAD_TIME: ("lead_time_median_hours", 1, "h"),
    KRMetric.DEPLOYMENT_FREQUENCY: ("deployments_per_week", 1, "per week"),
    KRMetric.CHANGE_FAILURE_RATE: ("change_failure_rate", 100, "%"),
    KRMetric.RECOVERY_TIME: ("recovery_time_median_hours", 1, "h"),
    KRMetric.FLOW_VELOCITY: ("flow_velocity", 1, "items"),
    KRMetric.FLOW_TIME: ("flow_time_median_days", 1, "days"),
    KRMetric.FLOW_EFFICIENCY: ("flow_efficiency", 100, "%"),
    KRMetric.DELIVERY_PROGRESS: ("delivery_progress", 100, "%"),
}


class KeyResult(models.Model):
    """A measurable result that shows progress towards an objective. With `metric` set it is
    bound to a computed figure of its value stream: each rollup checks its value in."""

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="key_results")
    title = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    direction = models.CharField(max_length=10, choices=KRDirection.choices, default=KRDirection.INCREASE)
    baseline = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    target = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    current = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    commitment = models.CharField(max_length=12, choices=KRCommitment.choices, default=KRCommitment.COMMITTED)
    metric = models.CharField(
        max_length=30,
        choices=KRMetric.choices,
        blank=True,
        default="",
        help_text="Bound to this computed figure of the value stream: the rollup checks its value in.",
    )
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
    """An append-only reading of a key result: value, confidence 0-10 and a note.

    A person's check-in has an author and a confidence. A bound KR's check-ins come from the
    rollup: no author (shown as "rollup"), no confidence (a judgement the system cannot make),
    and `rollup_of` the snapshot day, one per KR and day, so a rerun of the day's rollup
    rewrites its reading instead of adding a second one.
    """

    key_result = models.ForeignKey(KeyResult, on_delete=models.PROTECT, related_name="check_ins")
    date = models.DateField()
    value = models.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    rollup_of = models.DateField(null=True, blank=True, help_text="The snapshot day of a check-in by the rollup.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key_result_id", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(confidence__lte=10), name="check_in_confidence_0_10"),
            models.CheckConstraint(
                condition=Q(rollup_of__isnull=True, author__isnull=False, confidence__isnull=False)
                | Q(rollup_of__isnull=False, author__isnull=True),
                name="check_in_by_person_or_rollup",
            ),
            # NULLs never conflict, so people's check-ins are not limited; the rollup's upsert
            # conflicts on this (a full constraint: PostgreSQL's ON CONFLICT needs one).
            models.UniqueConstraint(fields=["key_result", "rollup_of"], name="check_in_one_rollup_a_day"),
        ]

    @property
    def by_rollup(self) -> bool:
        return self.rollup_of is not None

    @property
    def author_name(self) -> str:
        """Who checked in: "rollup" for the system's readings of a bound KR."""
        if self.author_id is None:
            return "rollup"
        return display_name(self.author)


class KeyResultBenefit(models.Model):
    """The key result a benefit hypothesis serves (a benefit serves at most one).

    Kept on the OKR side because okrs sits above portfolio: the benefit cannot name a key result.
    """

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="benefit_links")
    benefit = models.OneToOneField(
        "portfolio.BenefitHypothesis", on_delete=models.CASCADE, related_name="key_result_link"
    )

    def __str__(self) -> str:
        return f"{self.benefit_id} -> {self.key_result_id}"
