"""Outbound events: other systems subscribe to what happens here and receive signed JSON.

A write that raises an event records it in the outbox (`OutboundEvent` with one `EventDelivery`
per matching subscription) in its own transaction; a Celery task delivers after commit, retries
with exponential backoff, logs every attempt (`EventDeliveryAttempt`) and disables a
subscription after too many consecutive failures. Nothing here ever blocks the request.
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    EPIC_MOVED = "epic.moved", "Epic moved on the Kanban"
    ALLOCATION_CHANGED = "allocation.changed", "Allocation changed"
    BUDGET_APPROVED = "budget.approved", "Budget approved"
    BUDGET_CLOSED = "budget.closed", "Budget closed"
    KEY_RESULT_CHECKED_IN = "key_result.checked_in", "Key result checked in"
    SNAPSHOT_COMPUTED = "snapshot.computed", "Snapshot computed"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class EventSubscription(models.Model):
    """A receiver of events: where to POST them, the shared secret that signs them, which
    event types it wants. `consecutive_failures` counts failed attempts since the last success;
    at `EVENTS_DISABLE_AFTER_FAILURES` the subscription is disabled (`active` false)."""

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    secret = models.CharField(max_length=200)
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Only web URLs: no file://, gopher:// or javascript: receivers, whatever the form said.
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="event_subscription_http_url",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OutboundEvent(models.Model):
    """One thing that happened (an epic moved, a budget approved), as the JSON sent out."""

    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class EventDelivery(models.Model):
    """The outbox row: one event to one subscription, pending until delivered or given up.
    `next_attempt_at` carries the backoff: the drain takes rows whose time has come."""

    event = models.ForeignKey(OutboundEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(EventSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="event_delivery_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="event_delivery_due_idx")]


class EventDeliveryAttempt(models.Model):
    """The delivery log: one POST to a receiver, its status code (none when it never answered),
    the error and how long it took."""

    delivery = models.ForeignKey(EventDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-id"]
