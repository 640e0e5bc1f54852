"""The base domain: value streams, planning quarters, strategic themes, and the rollup outbox."""

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from portfolio.querysets import QuarterQuerySet, ValueStreamQuerySet


class ValueStreamKind(models.TextChoices):
    DEVELOPMENT = "development", "Development"
    OPERATIONAL = "operational", "Operational"
    SUPPORT = "support", "Support"


class DeliveryMode(models.TextChoices):
    PROJECT = "project", "Project"
    AGILE = "agile", "Agile"
    CONTINUOUS = "continuous", "Continuous"


class ValueStream(models.Model):
    """A long-lived flow of value that the VMO funds every quarter instead of one-off projects."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=ValueStreamKind.choices, default=ValueStreamKind.DEVELOPMENT)
    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.AGILE)
    description = models.TextField(blank=True, max_length=4000)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="managed_value_streams", blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ValueStreamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuarterStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


QUARTER_CODE = re.compile(r"[0-9]{4}-Q[1-4]")
quarter_code_validator = RegexValidator(rf"^{QUARTER_CODE.pattern}$", "Quarter codes look like 2026-Q3.")


class Quarter(models.Model):
    """A planning period. Quarters never overlap (checked by the service, as SQLite and
    PostgreSQL without btree_gist cannot express a cross-row exclusion)."""

    code = models.CharField(max_length=7, unique=True, validators=[quarter_code_validator])
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=QuarterStatus.choices, default=QuarterStatus.PLANNING)

    objects = QuarterQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="quarter_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.code


class StrategicTheme(models.Model):
    """A differentiating business objective that epics and objectives align to."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=4000)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RollupDue(models.Model):
    """Outbox: a value stream whose figures changed and whose snapshot must be recomputed.

    Written in the same transaction as the change that causes it (so no trigger is lost when the
    broker is down), drained by the `vmo` rollup task. One row per value stream: a burst of
    writes coalesces into one run. `since` is the earliest day a write was about (spend of a
    closed month, a deployment finished last quarter): the drain recomputes every snapshot from
    that day on, finished quarters included. Empty means only today's figures changed.
    """

    value_stream = models.OneToOneField(ValueStream, on_delete=models.CASCADE, related_name="rollup_due")
    due_since = models.DateTimeField(auto_now_add=True)
    since = models.DateField(null=True, blank=True)

    class Meta:
        # The "background updates are delayed" banner asks for old rows on every page.
        indexes = [models.Index(fields=["due_since"], name="rollup_due_since_idx")]

    def __str__(self) -> str:
        return f"rollup due for {self.value_stream_id}"
