"""Outbound events: recording them with the change that caused them, delivering them signed.

Recording (`event_record`) is part of the caller's transaction: one read of the active
subscriptions and, when one wants the event, the event row and its outbox rows
(`EventDelivery`), which commit or roll back with the change. After commit a nudge wakes the
delivery task through `core.publish` (never the request's thread, never the broker inline);
the task (`events_deliver`) POSTs each due delivery with a timeout, logs the attempt, retries
with exponential backoff and disables a subscription after `EVENTS_DISABLE_AFTER_FAILURES`
consecutive failures. A worker drains at start, on beat's tick and on each nudge.

Signature, for receivers (also in docs/outbound-events.md and the API schema):
    X-VMO-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>
Recompute the HMAC over the timestamp, a dot and the raw body bytes with the subscription's
secret, compare in constant time, and refuse a timestamp older than five minutes (replays).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from portfolio.models import (
    DeliveryStatus,
    EventDelivery,
    EventDeliveryAttempt,
    EventSubscription,
    EventType,
    OutboundEvent,
)
from portfolio.permissions import is_director

logger = logging.getLogger(__name__)

EVENTS_DELIVER_TASK = "portfolio.tasks.events_deliver_task"
SIGNATURE_HEADER = "X-VMO-Signature"
USER_AGENT = "VMO-Events/1"

# --- subscriptions (directors only) ------------------------------------------------------------


def require_events_admin(user) -> None:
    """Subscriptions send the portfolio's data to other systems: directors' alone."""
    if not is_director(user):
        raise PermissionDenied("Only VMO directors may manage event subscriptions.")


def _check_event_types(event_types) -> list[str]:
    if not isinstance(event_types, list | tuple) or not event_types:
        raise ValidationError({"event_types": "Choose at least one event type."})
    unknown = sorted({str(t) for t in event_types} - set(EventType.values))
    if unknown:
        raise ValidationError({"event_types": f"Unknown event types: {', '.join(unknown)}."})
    return sorted(set(event_types))


@transaction.atomic
def subscription_create(
    *, user, name: str, url: str, secret: str, event_types, active: bool = True
) -> EventSubscription:
    """A director subscribes a receiver to some event types (http or https URLs only); it may
    start turned off."""
    require_events_admin(user)
    subscription = EventSubscription(
        name=name, url=url, secret=secret, event_types=_check_event_types(event_types), active=active, created_by=user
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(*, user, subscription: EventSubscription, **fields) -> EventSubscription:
    """Change a subscription. Turning it back on (`active=True`) clears its failure count, so a
    receiver that was fixed starts with a clean slate; a blank `secret` keeps the old one."""
    require_events_admin(user)
    subscription = EventSubscription.objects.select_for_update().get(pk=subscription.pk)
    if "event_types" in fields:
        fields["event_types"] = _check_event_types(fields["event_types"])
    if not fields.get("secret", "x"):
        fields.pop("secret")
    if fields.get("active") and not subscription.active:
        subscription.consecutive_failures = 0
        subscription.disabled_at = None
        subscription.disabled_reason = ""
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, user, subscription: EventSubscription) -> None:
    """Remove a subscription with its deliveries and their log (nothing financial)."""
    require_events_admin(user)
    EventDeliveryAttempt.objects.filter(delivery__subscription=subscription).delete()
    EventDelivery.objects.filter(subscription=subscription).delete()
    subscription.delete()


# --- recording ---------------------------------------------------------------------------------

_nudges = threading.local()


def event_record(*, event_type: str, payload: dict) -> OutboundEvent | None:
    """Record that `event_type` happened, inside the caller's transaction: the outbox rows
    commit or roll back with the change. One query when nobody subscribes; the event and one
    delivery per subscription otherwise, then a nudge after commit. Returns the event (None
    when nobody wanted it). `payload` must be JSON: ids, codes, amounts as strings."""
    events = events_record(event_type=event_type, payloads=[payload])
    return events[0] if events else None


def events_record(*, event_type: str, payloads: list[dict]) -> list[OutboundEvent]:
    """`event_record` for several events of one type at once (a scenario committing many
    allocations): the same three queries however many events."""
    wanted = [
        sub_id
        for sub_id, types in EventSubscription.objects.filter(active=True).values_list("id", "event_types")
        if event_type in (types or [])
    ]
    if not wanted or not payloads:
        return []
    events = OutboundEvent.objects.bulk_create(
        [OutboundEvent(event_type=event_type, payload=payload) for payload in payloads]
    )
    now = timezone.now()
    EventDelivery.objects.bulk_create(
        [
            EventDelivery(event=event, subscription_id=sub_id, next_attempt_at=now)
            for event in events
            for sub_id in wanted
        ]
    )
    if not getattr(_nudges, "paused", False):
        transaction.on_commit(nudge_delivery)
    return events


def nudge_delivery() -> None:
    """Wake the delivery task without waiting: a background publisher with a broker, a timer
    thread in embedded mode (`EVENTS_EMBEDDED_DELIVERY_DELAY` seconds; 0 runs it here, for tests)."""
    from celery import current_app as app

    from core.publish import publish, run_inline

    if app.conf.task_always_eager:
        delay = settings.EVENTS_EMBEDDED_DELIVERY_DELAY
        if delay:
            _embedded_later(delay)
        else:
            try:
                run_inline(EVENTS_DELIVER_TASK)
            except Exception:
                logger.exception("Inline event delivery failed; the deliveries stay pending.")
        return
    publish(EVENTS_DELIVER_TASK)


_timer_lock = threading.Lock()
_timer: threading.Timer | None = None


def _embedded_later(delay: float) -> None:
    """Embedded mode: one delivery run `delay` seconds from now, outside every request; nudges
    while it waits join it."""
    global _timer
    with _timer_lock:
        if _timer is not None:
            return
        _timer = threading.Timer(delay, _embedded_run)
        _timer.daemon = True
        _timer.start()


def _embedded_run() -> None:
    global _timer
    from django.db import connections

    from core.publish import run_inline

    with _timer_lock:
        _timer = None
    try:
        run_inline(EVENTS_DELIVER_TASK)
    except Exception:
        logger.exception("Embedded event delivery failed; the deliveries stay pending.")
    finally:
        connections.close_all()


# --- delivering --------------------------------------------------------------------------------


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The `X-VMO-Signature` value: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>." + body>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff_seconds(attempts: int) -> int:
    """Wait before the next try after `attempts` failed ones: base x 2^(attempts-1), capped."""
    base = settings.EVENTS_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.EVENTS_RETRY_MAX_SECONDS))


def event_body(event: OutboundEvent) -> bytes:
    """The JSON a receiver gets: id, type, when, data (compact, keys sorted: byte-stable)."""
    envelope = {
        "id": event.pk,
        "type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A receiver is the URL a director typed: a redirect elsewhere is a failure, not followed.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, *, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST within `EVENTS_REQUEST_TIMEOUT_SECONDS`: (status code or None, error text)."""
    if not url.startswith(("http://", "https://")):
        return None, "Only http and https receivers are called."
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (schemes checked above)
    try:
        with _opener.open(request, timeout=settings.EVENTS_REQUEST_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


@dataclass(frozen=True)
class DrainResult:
    delivered: int
    failed: int
    next_due_in: float | None  # seconds until the earliest pending retry, None when none waits


def events_deliver(*, now: dt.datetime | None = None, limit: int = 100) -> DrainResult:
    """Deliver every due delivery of an active subscription (at most `limit` in this run).

    Each delivery is claimed first with a conditional UPDATE (its `next_attempt_at` moved past
    the request's timeout), so two workers never send the same one at once; then POSTed, logged,
    and marked delivered, rescheduled with backoff, or given up after `EVENTS_MAX_ATTEMPTS`."""
    now = now or timezone.now()
    due = list(
        EventDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True)
        .select_related("event", "subscription")
        .order_by("next_attempt_at", "id")[:limit]
    )
    delivered = failed = 0
    lease = now + dt.timedelta(seconds=settings.EVENTS_REQUEST_TIMEOUT_SECONDS + 30)
    for delivery in due:
        claimed = EventDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=delivery.next_attempt_at
        ).update(next_attempt_at=lease)
        if not claimed:
            continue  # another worker took it
        if _attempt(delivery, now=now):
            delivered += 1
        else:
            failed += 1
    earliest = EventDelivery.objects.filter(status=DeliveryStatus.PENDING, subscription__active=True).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    next_due_in = None if earliest is None else max((earliest - timezone.now()).total_seconds(), 0.0)
    return DrainResult(delivered=delivered, failed=failed, next_due_in=next_due_in)


def _attempt(delivery: EventDelivery, *, now: dt.datetime) -> bool:
    subscription = delivery.subscription
    body = event_body(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-VMO-Event": delivery.event.event_type,
        "X-VMO-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(secret=subscription.secret, timestamp=int(time.time()), body=body),
    }
    started = time.monotonic()
    status_code, error = _post(subscription.url, body=body, headers=headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    if status_code is not None and not ok and not error:
        error = f"HTTP {status_code}"
    attempts = delivery.attempts + 1
    with transaction.atomic():
        EventDeliveryAttempt.objects.create(
            delivery=delivery, status_code=status_code, error=error, duration_ms=duration_ms
        )
        if ok:
            EventDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED,
                attempts=attempts,
                last_status_code=status_code,
                delivered_at=timezone.now(),
            )
            EventSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            return True
        given_up = attempts >= settings.EVENTS_MAX_ATTEMPTS
        EventDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if given_up else DeliveryStatus.PENDING,
            attempts=attempts,
            last_status_code=status_code,
            next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(attempts)),
        )
        EventSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        limit = settings.EVENTS_DISABLE_AFTER_FAILURES
        # The count is compared in the UPDATE itself: no read-then-write race between workers.
        EventSubscription.objects.filter(pk=subscription.pk, active=True, consecutive_failures__gte=limit).update(
            active=False,
            disabled_at=timezone.now(),
            disabled_reason=f"Disabled after {limit} consecutive failed deliveries (last: {error or status_code})."[
                :300
            ],
        )
    return False
