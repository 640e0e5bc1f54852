"""Outbound events: the outbox written with the change, signed deliveries to a real local HTTP
receiver, retries with backoff, disabling, and the directors-only subscriptions API."""

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from funding.services.budgets import allocation_set, budget_approve
from kanban.services import epic_move
from okrs.services import check_in_record
from portfolio.models import (
    DeliveryStatus,
    EventDelivery,
    EventDeliveryAttempt,
    EventSubscription,
    EventType,
    OutboundEvent,
)
from portfolio.services.events import (
    backoff_seconds,
    event_record,
    events_deliver,
    sign,
    subscription_create,
    subscription_update,
)
from tests.factories import (
    EpicFactory,
    KeyResultFactory,
    QuarterBudgetFactory,
    ValueStreamFactory,
    ready_epic_fields,
)
from tests.factories_outbound import EventDeliveryFactory, EventSubscriptionFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on a free local port: records every request, answers the statuses
    queued in `answers` (200 once they run out)."""

    def __init__(self):
        self.requests: list[tuple[object, bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                # HTTP headers are case-insensitive (urllib sends "X-vmo-signature"): keep the Message.
                receiver.requests.append((self.headers, body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def verify(headers, body: bytes, *, secret: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: parse `t` and `v1`, recompute, compare in constant time, refuse old."""
    parts = dict(item.split("=", 1) for item in headers["X-VMO-Signature"].split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(now - timestamp) <= tolerance


def _allocate(director, quarter, amount_cents=1_000_00):
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_00)
    stream = ValueStreamFactory()
    return allocation_set(user=director, budget=budget, value_stream=stream, amount_cents=amount_cents)


# --- the outbox ---------------------------------------------------------------------------------


def test_the_outbox_is_written_with_the_change(director, quarter):
    subscription = EventSubscriptionFactory(event_types=[EventType.ALLOCATION_CHANGED])
    EventSubscriptionFactory(event_types=[EventType.EPIC_MOVED])  # wants other events

    allocation = _allocate(director, quarter, 1_234_50)

    event = OutboundEvent.objects.get()
    assert event.event_type == "allocation.changed"
    assert event.payload == {
        "allocation": allocation.pk,
        "budget": allocation.budget_id,
        "quarter": quarter.pk,
        "value_stream": allocation.value_stream_id,
        "old_amount": None,
        "amount": "1234.50",
        "by": director.pk,
        "reason": "",
    }
    assert list(EventDelivery.objects.values_list("subscription_id", "status", "attempts")) == [
        (subscription.pk, "pending", 0)
    ]


def test_the_outbox_rolls_back_with_the_change(director, quarter):
    EventSubscriptionFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        _allocate(director, quarter)
        raise RuntimeError("the change fails after the event was recorded")

    assert OutboundEvent.objects.count() == 0
    assert EventDelivery.objects.count() == 0


def test_a_refused_change_records_no_event(vsm, quarter):
    EventSubscriptionFactory()
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_00)

    with pytest.raises(Exception, match="directors"):
        allocation_set(user=vsm, budget=budget, value_stream=ValueStreamFactory(), amount_cents=100)

    assert OutboundEvent.objects.count() == 0


def test_nothing_is_recorded_and_one_query_spent_without_subscribers(django_assert_num_queries):
    EventSubscriptionFactory(active=False)

    with django_assert_num_queries(1):
        assert event_record(event_type=EventType.EPIC_MOVED, payload={}) is None
    assert OutboundEvent.objects.count() == 0


def test_the_nudge_waits_for_commit_and_delivers(director, quarter, receiver, django_capture_on_commit_callbacks):
    EventSubscriptionFactory(url=receiver.url, event_types=[EventType.ALLOCATION_CHANGED])

    with django_capture_on_commit_callbacks() as callbacks:
        _allocate(director, quarter)
        assert receiver.requests == []  # nothing leaves before commit
    for callback in callbacks:
        callback()

    assert len(receiver.requests) == 1
    assert EventDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_each_event_type_is_raised_by_its_service(director, vsm, value_stream, quarter):
    EventSubscriptionFactory()
    epic = EpicFactory(value_stream=value_stream, owner=vsm, **ready_epic_fields())
    epic_move(epic_id=epic.pk, user=vsm, to_state="reviewing", version=1, reason="ready")
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=100)
    budget_approve(user=director, budget=budget)
    kr = KeyResultFactory(objective__value_stream=value_stream, objective__quarter=quarter)
    check_in_record(key_result=kr, value=40, confidence=7, author=vsm)

    events = {e.event_type: e.payload for e in OutboundEvent.objects.all()}
    assert set(events) == {"epic.moved", "budget.approved", "key_result.checked_in"}
    assert {k: events["epic.moved"][k] for k in ("epic", "from_state", "to_state", "version", "by")} == {
        "epic": epic.pk,
        "from_state": "funnel",
        "to_state": "reviewing",
        "version": 2,
        "by": vsm.pk,
    }
    assert events["budget.approved"] == {
        "budget": budget.pk,
        "quarter": quarter.pk,
        "total": "1.00",
        "status": "approved",
        "by": director.pk,
    }
    assert events["key_result.checked_in"]["value"].startswith("40")
    assert events["key_result.checked_in"]["confidence"] == 7


def test_todays_rollup_raises_snapshot_computed(value_stream, current_quarter):
    from vmo.services.rollups import rollup_value_streams

    EventSubscriptionFactory(event_types=[EventType.SNAPSHOT_COMPUTED])

    rollup_value_streams(value_stream_ids=[value_stream.pk], quarter=current_quarter)

    event = OutboundEvent.objects.get()
    assert event.event_type == "snapshot.computed"
    assert event.payload["value_streams"] == [value_stream.pk]
    assert event.payload["quarter"] == current_quarter.code


# --- delivering ---------------------------------------------------------------------------------


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(receiver):
    subscription = EventSubscriptionFactory(url=receiver.url, secret="k3y")
    delivery = EventDeliveryFactory(subscription=subscription, event__payload={"epic": 7})

    result = events_deliver()

    assert (result.delivered, result.failed) == (1, 0)
    headers, body = receiver.requests[0]
    now = int(timezone.now().timestamp())
    assert verify(headers, body, secret="k3y", now=now)
    assert not verify(headers, body, secret="wrong", now=now)
    assert not verify(headers, body + b" ", secret="k3y", now=now)  # a changed body fails
    assert not verify(headers, body, secret="k3y", now=now + 301)  # a replay after 5 minutes fails
    assert json.loads(body) == {
        "id": delivery.event_id,
        "type": "epic.moved",
        "occurred_at": delivery.event.occurred_at.isoformat(),
        "data": {"epic": 7},
    }
    assert headers["X-VMO-Event"] == "epic.moved"
    assert headers["X-VMO-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert list(EventDeliveryAttempt.objects.values_list("status_code", "error")) == [(200, "")]


def test_sign_matches_a_hand_computed_hmac():
    expected = hmac.new(b"abc", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign(secret="abc", timestamp=1700000000, body=b"{}") == f"t=1700000000,v1={expected}"


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (20, 3600)])
def test_backoff_doubles_up_to_the_cap(attempts, seconds):
    assert backoff_seconds(attempts) == seconds


def test_failures_are_retried_with_backoff_then_given_up(receiver, settings):
    settings.EVENTS_MAX_ATTEMPTS = 3
    receiver.answers = [500, 503, 502]
    t0 = timezone.now()
    delivery = EventDeliveryFactory(subscription__url=receiver.url, next_attempt_at=t0)

    events_deliver(now=t0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == t0 + dt.timedelta(seconds=30)

    # not due yet: nothing is sent
    assert events_deliver(now=t0 + dt.timedelta(seconds=29)).failed == 0
    assert len(receiver.requests) == 1

    t1 = t0 + dt.timedelta(seconds=30)
    events_deliver(now=t1)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at == t1 + dt.timedelta(seconds=60)

    events_deliver(now=t1 + dt.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 502)
    assert list(EventDeliveryAttempt.objects.order_by("id").values_list("status_code", flat=True)) == [500, 503, 502]
    # given up: never tried again
    events_deliver(now=t1 + dt.timedelta(days=1))
    assert len(receiver.requests) == 3


def test_a_success_after_failures_resets_the_count(receiver):
    receiver.answers = [500]
    t0 = timezone.now()
    delivery = EventDeliveryFactory(subscription__url=receiver.url, next_attempt_at=t0)
    events_deliver(now=t0)
    assert EventSubscription.objects.get().consecutive_failures == 1

    events_deliver(now=t0 + dt.timedelta(seconds=30))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert EventSubscription.objects.get().consecutive_failures == 0


def test_a_subscription_is_disabled_after_consecutive_failures(receiver, settings):
    settings.EVENTS_DISABLE_AFTER_FAILURES = 2
    receiver.answers = [500, 500, 500]
    subscription = EventSubscriptionFactory(url=receiver.url)
    EventDeliveryFactory(subscription=subscription)
    EventDeliveryFactory(subscription=subscription)

    events_deliver()

    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (False, 2)
    assert subscription.disabled_reason == "Disabled after 2 consecutive failed deliveries (last: HTTP 500)."
    # a disabled subscription is not called, its deliveries wait
    EventDeliveryFactory(subscription=subscription)
    events_deliver(now=timezone.now() + dt.timedelta(hours=1))
    assert len(receiver.requests) == 2
    # and no new events are recorded for it
    assert event_record(event_type=EventType.EPIC_MOVED, payload={}) is None


def test_re_enabling_clears_the_failures(director):
    subscription = EventSubscriptionFactory(active=False, consecutive_failures=20, disabled_reason="x")

    subscription_update(user=director, subscription=subscription, active=True)

    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures, subscription.disabled_reason) == (True, 0, "")


def test_a_receiver_that_never_answers_times_out(settings):
    settings.EVENTS_REQUEST_TIMEOUT_SECONDS = 0.2
    # A socket that listens but never accepts: connecting succeeds, no answer ever comes.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        port = silent.getsockname()[1]
        delivery = EventDeliveryFactory(subscription__url=f"http://127.0.0.1:{port}/hook")
        result = events_deliver()
    finally:
        silent.close()

    assert result.failed == 1
    attempt = EventDeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "timed out" in attempt.error


def test_a_redirect_is_not_followed(receiver):
    receiver.answers = [302]
    delivery = EventDeliveryFactory(subscription__url=receiver.url)

    events_deliver()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert len(receiver.requests) == 1


# --- subscriptions: directors only --------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://x"])
def test_only_http_receivers_are_accepted(api_as, director, url):
    response = api_as(director).post(
        "/api/event-subscriptions/",
        {"name": "x", "url": url, "secret": "s", "event_types": ["epic.moved"]},
        format="json",
    )
    assert response.status_code == 400
    assert "url" in response.json()
    assert EventSubscription.objects.count() == 0
    with pytest.raises(Exception, match=r"(?i)url"):
        subscription_create(user=director, name="x", url=url, secret="s", event_types=["epic.moved"])


def test_a_director_creates_a_subscription_and_the_secret_is_never_shown(api_as, director):
    client = api_as(director)
    response = client.post(
        "/api/event-subscriptions/",
        {"name": "ERP", "url": "https://erp.example.com/vmo", "secret": "k3y", "event_types": ["budget.approved"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert "secret" not in response.json()
    assert "secret" not in client.get("/api/event-subscriptions/").json()["results"][0]
    subscription = EventSubscription.objects.get()
    assert (subscription.secret, subscription.event_types, subscription.created_by) == (
        "k3y",
        ["budget.approved"],
        director,
    )
    # a blank secret on update keeps it
    client.patch(f"/api/event-subscriptions/{subscription.pk}/", {"secret": "", "name": "ERP 2"}, format="json")
    subscription.refresh_from_db()
    assert (subscription.name, subscription.secret) == ("ERP 2", "k3y")


def test_unknown_event_types_and_a_missing_secret_are_400(api_as, director):
    client = api_as(director)
    base = {"name": "x", "url": "https://x.example.com/", "secret": "s"}
    assert client.post("/api/event-subscriptions/", {**base, "event_types": ["nope"]}, format="json").status_code == 400
    assert client.post("/api/event-subscriptions/", {**base, "event_types": []}, format="json").status_code == 400
    no_secret = {k: v for k, v in base.items() if k != "secret"}
    response = client.post("/api/event-subscriptions/", {**no_secret, "event_types": ["epic.moved"]}, format="json")
    assert response.status_code == 400
    assert EventSubscription.objects.count() == 0


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_manage_subscriptions(api_as, request, persona):
    user = request.getfixturevalue(persona)
    subscription = EventSubscriptionFactory(name="ERP", url="https://erp.example.com/")
    client = api_as(user)
    body = {"name": "x", "url": "https://x.example.com/", "secret": "s", "event_types": ["epic.moved"]}

    assert client.get("/api/event-subscriptions/").status_code == 403
    assert client.get(f"/api/event-subscriptions/{subscription.pk}/deliveries/").status_code == 403
    assert client.post("/api/event-subscriptions/", body, format="json").status_code == 403
    assert client.patch(f"/api/event-subscriptions/{subscription.pk}/", {"url": "https://evil/"}).status_code == 403
    assert client.delete(f"/api/event-subscriptions/{subscription.pk}/").status_code == 403

    assert list(EventSubscription.objects.values_list("name", "url")) == [("ERP", "https://erp.example.com/")]
    with pytest.raises(Exception, match="directors"):
        subscription_create(user=user, **body)
    with pytest.raises(Exception, match="directors"):
        subscription_update(user=user, subscription=subscription, url="https://evil.example.com/")
    subscription.refresh_from_db()
    assert subscription.url == "https://erp.example.com/"


def test_anonymous_gets_401(api_as):
    assert api_as(None).get("/api/event-subscriptions/").status_code == 401


@pytest.mark.parametrize("count", [1, 5])
def test_the_delivery_log_has_constant_queries(api_as, director, django_assert_num_queries, count):
    subscription = EventSubscriptionFactory()
    for _ in range(count):
        delivery = EventDeliveryFactory(subscription=subscription, attempts=1, last_status_code=500)
        EventDeliveryAttempt.objects.create(delivery=delivery, status_code=500, error="HTTP 500")
    client = api_as(director)

    # groups, subscription, count, deliveries, attempts
    with django_assert_num_queries(5):
        response = client.get(f"/api/event-subscriptions/{subscription.pk}/deliveries/")

    body = response.json()
    assert body["count"] == count
    assert body["results"][0]["attempt_log"][0]["status_code"] == 500
    assert body["results"][0]["event_type"] == "epic.moved"


def test_the_delete_removes_deliveries_and_their_log(api_as, director):
    delivery = EventDeliveryFactory()
    EventDeliveryAttempt.objects.create(delivery=delivery, status_code=500)

    response = api_as(director).delete(f"/api/event-subscriptions/{delivery.subscription_id}/")

    assert response.status_code == 204
    assert (EventSubscription.objects.count(), EventDelivery.objects.count(), EventDeliveryAttempt.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_committed_scenario_raises_one_event_per_allocation_it_changed(director, quarter):
    from funding.services.scenarios import scenario_commit, scenario_create, scenario_line_set

    EventSubscriptionFactory(event_types=[EventType.ALLOCATION_CHANGED])
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_00)
    kept, grown, new = ValueStreamFactory(), ValueStreamFactory(), ValueStreamFactory()
    allocation_set(user=director, budget=budget, value_stream=kept, amount_cents=1_000_00)
    grown_allocation = allocation_set(user=director, budget=budget, value_stream=grown, amount_cents=2_000_00)
    OutboundEvent.objects.all().delete()
    scenario = scenario_create(user=director, budget=budget, name="More for growth")
    for stream, cents in ((kept, 1_000_00), (grown, 3_000_00), (new, 500_00)):
        scenario_line_set(user=director, scenario=scenario, value_stream=stream, amount_cents=cents)

    scenario_commit(user=director, scenario=scenario)

    payloads = sorted(
        (e.payload["value_stream"], e.payload["old_amount"], e.payload["amount"]) for e in OutboundEvent.objects.all()
    )
    assert payloads == sorted([(grown.pk, "2000.00", "3000.00"), (new.pk, None, "500.00")])
    assert OutboundEvent.objects.get(payload__value_stream=grown.pk).payload["allocation"] == grown_allocation.pk
    assert EventDelivery.objects.count() == 2


def test_the_task_asks_celery_for_the_next_retry_before_beats_tick(receiver, monkeypatch):
    from celery import current_app

    from portfolio.tasks import events_deliver_task

    sent = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app, "send_task", lambda name, **kwargs: sent.append((name, kwargs)))
    receiver.answers = [500]
    EventDeliveryFactory(subscription__url=receiver.url)

    assert events_deliver_task() == {"delivered": 0, "failed": 1}

    # the retry falls due in 30 s, before beat's next minute: a countdown message asks for it
    [(name, kwargs)] = sent
    assert name == "portfolio.tasks.events_deliver_task"
    assert kwargs["countdown"] in (30, 31)  # the seconds left, rounded up
    assert kwargs["ignore_result"] is True


def test_a_retry_later_than_beats_tick_is_left_to_beat(receiver, monkeypatch, settings):
    from celery import current_app

    from portfolio.tasks import events_deliver_task

    settings.EVENTS_RETRY_BASE_SECONDS = 600
    sent = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app, "send_task", lambda name, **kwargs: sent.append((name, kwargs)))
    receiver.answers = [500]
    EventDeliveryFactory(subscription__url=receiver.url)

    events_deliver_task()

    assert sent == []


def test_a_subscription_may_be_created_turned_off(api_as, director):
    # The fuzzer found this one: `active` in the body of a create reached the service as an
    # argument it did not take (a 500).
    body = {"name": "ERP", "url": "https://erp.example.com/", "secret": "k", "event_types": ["epic.moved"]}

    response = api_as(director).post("/api/event-subscriptions/", {**body, "active": False}, format="json")

    assert response.status_code == 201, response.json()
    assert list(EventSubscription.objects.values_list("name", "active")) == [("ERP", False)]
