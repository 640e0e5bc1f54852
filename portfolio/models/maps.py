"""Value stream maps: the ordered stages of a value stream, current state and future state.

A stage owns tool statuses (Jira status names, GitHub/GitLab labels or states, the API's
`tool_status`); the time work items spend in those statuses, from `WorkItemStatusChange`
history, gives the stage's process and wait time. Where no history exists the figures are typed
on the stage. The definitions are in `portfolio/metrics.py` (key "value_stream_map").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models.base import ValueStream


class MapState(models.TextChoices):
    CURRENT = "current", "Current state"
    FUTURE = "future", "Future state"


class ValueStreamMap(models.Model):
    """A map of one value stream: the current state (measured) or the future state (targets).

    One of each per stream; the future state's stage figures are the improvement targets."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="maps")
    state = models.CharField(max_length=10, choices=MapState.choices, default=MapState.CURRENT)
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    window_days = models.PositiveSmallIntegerField(
        default=90, help_text="Stage times count stays in a status that began in the last this many days."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["value_stream_id", "state"]
        constraints = [
            models.UniqueConstraint(fields=["value_stream", "state"], name="vsm_unique_stream_state"),
            models.CheckConstraint(condition=Q(window_days__gte=1) & Q(window_days__lte=730), name="vsm_window_days"),
        ]

    def __str__(self) -> str:
        return f"{self.value_stream_id}: {self.state}"


class MapStage(models.Model):
    """One stage of a map, in `position` order: its owner, the tool statuses that belong to it,
    and typed figures used where no status history exists (always, on a future-state map)."""

    map = models.ForeignKey(ValueStreamMap, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Lower-case tool status names; a status belongs to at most one stage of a map (the service
    # checks), so each stay in history counts in one stage.
    tool_statuses = models.JSONField(default=list, blank=True)
    typed_process_hours = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    typed_wait_hours = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    complete_accurate_pct = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Percent complete and accurate: share of work the next stage can use as is."
    )

    class Meta:
        ordering = ["map_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["map", "position"], name="map_stage_unique_position"),
            models.CheckConstraint(
                condition=Q(complete_accurate_pct__isnull=True) | Q(complete_accurate_pct__lte=100),
                name="map_stage_ca_pct_range",
            ),
            models.CheckConstraint(
                condition=(Q(typed_process_hours__isnull=True) | Q(typed_process_hours__gte=0))
                & (Q(typed_wait_hours__isnull=True) | Q(typed_wait_hours__gte=0)),
                name="map_stage_typed_hours_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.map_id}#{self.position} {self.name}"
