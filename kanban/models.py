"""The portfolio Kanban: WIP limits per state (optionally per value stream) and the move log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import Epic, EpicState, ValueStream


class WipLimit(models.Model):
    """At most `limit` epics in `state`, portfolio-wide or (with a value stream) within one stream."""

    state = models.CharField(max_length=15, choices=EpicState.choices)
    value_stream = models.ForeignKey(
        ValueStream, on_delete=models.CASCADE, null=True, blank=True, related_name="wip_limits"
    )
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["state", "value_stream_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(value_stream__isnull=True), name="wip_limit_unique_portfolio_state"
            ),
            models.UniqueConstraint(
                fields=["state", "value_stream"],
                condition=Q(value_stream__isnull=False),
                name="wip_limit_unique_stream_state",
            ),
        ]

    def __str__(self) -> str:
        scope = self.value_stream_id or "portfolio"
        return f"{self.state} <= {self.limit} ({scope})"


class Transition(models.Model):
    """One move of an epic on the board; epic flow metrics are aggregates over these rows."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=15, choices=EpicState.choices, blank=True)
    to_state = models.CharField(max_length=15, choices=EpicState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["epic_id", "at", "id"]
        indexes = [models.Index(fields=["epic", "at"], name="transition_epic_at_idx")]

    def __str__(self) -> str:
        return f"{self.epic_id}: {self.from_state} -> {self.to_state}"
