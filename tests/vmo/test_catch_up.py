"""Catch-up without beat: a worker that starts, or reconnects to the broker, sends itself the
outbox drain and the pending imports at once; the publisher requests use never blocks."""

import threading

import pytest

from config.celery import CatchUpOnReconnect
from core import publish
from vmo import tasks


class FakeApp:
    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def send_task(self, name, **kwargs):
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append((name, kwargs))


class FakeConsumer:
    def __init__(self, app):
        self.app = app


def test_a_worker_that_starts_sends_the_catch_up_tasks():
    app = FakeApp()

    tasks._catch_up_on_worker_ready(sender=FakeConsumer(app))

    assert app.sent == [
        ("vmo.tasks.rollup_outbox_drain_task", {"ignore_result": True}),
        ("portfolio.tasks.delivery_import_catch_up_task", {"ignore_result": True}),
        ("portfolio.tasks.events_deliver_task", {"ignore_result": True}),
    ]


def test_the_worker_ready_handler_is_connected():
    from celery.signals import worker_ready

    assert any(receiver() is tasks._catch_up_on_worker_ready for _, receiver in worker_ready.receivers)


def test_a_broker_failing_at_start_is_logged_not_raised(caplog):
    tasks.catch_up(FakeApp(fail=True))

    assert "Could not send vmo.tasks.rollup_outbox_drain_task" in caplog.text


def test_a_reconnect_sends_them_again_but_not_the_first_start():
    app = FakeApp()
    consumer = FakeConsumer(app)
    step = CatchUpOnReconnect.__new__(CatchUpOnReconnect)
    step.started_once = False

    step.start(consumer)  # first start: worker_ready's job
    assert app.sent == []
    step.start(consumer)  # the broker connection came back

    assert [name for name, _ in app.sent] == tasks.CATCH_UP_TASKS


def test_the_reconnect_step_is_registered_on_the_consumer():
    from config.celery import app

    assert CatchUpOnReconnect in app.steps["consumer"]


@pytest.fixture
def not_eager():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


def test_publishing_with_the_broker_hung_returns_at_once_and_drops_beyond_the_backlog(monkeypatch, not_eager):
    # Given a broker whose publish never returns (until the test releases it)
    release, publishing = threading.Event(), threading.Event()
    calls = []

    def hung_send_task(name, **kwargs):
        calls.append(name)
        publishing.set()
        release.wait(timeout=30)

    monkeypatch.setattr(not_eager, "send_task", hung_send_task)
    monkeypatch.setattr(publish, "_queue", publish.queue.Queue(maxsize=3))
    monkeypatch.setattr(publish, "_thread", None)
    publish.publish("vmo.tasks.rollup_outbox_drain_task")
    assert publishing.wait(timeout=30)  # the publisher thread is stuck in the broker

    # When requests publish more nudges than the backlog holds
    for _ in range(9):
        publish.publish("vmo.tasks.rollup_outbox_drain_task")  # returns: nothing here waits

    # Then the backlog holds three and the rest are dropped (the outbox keeps the work)
    assert publish.pending() == 3
    release.set()
    publish._queue.join()
    assert len(calls) == 4


@pytest.mark.django_db
def test_eager_mode_runs_the_task_in_process(monkeypatch, value_stream, current_quarter):
    from django.db import transaction

    from portfolio.models import RollupDue
    from portfolio.services.base import rollup_due_mark
    from vmo.models import ValueStreamSnapshot

    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[value_stream.id])
    publish.publish("vmo.tasks.rollup_outbox_drain_task")

    assert RollupDue.objects.count() == 0
    assert ValueStreamSnapshot.objects.filter(value_stream=value_stream).count() == 1


def test_after_a_failed_publish_nudges_are_dropped_for_a_while(monkeypatch, not_eager):
    calls = []

    def refused(name, **kwargs):
        calls.append(name)
        raise ConnectionError("connection refused")

    monkeypatch.setattr(not_eager, "send_task", refused)
    monkeypatch.setattr(publish, "_queue", publish.queue.Queue(maxsize=3))
    monkeypatch.setattr(publish, "_thread", None)
    monkeypatch.setattr(publish, "_broken_until", 0.0)
    publish.publish("vmo.tasks.rollup_outbox_drain_task")
    publish._queue.join()

    for _ in range(5):
        publish.publish("vmo.tasks.rollup_outbox_drain_task")

    assert calls == ["vmo.tasks.rollup_outbox_drain_task"]  # tried once, then backed off
    assert publish.pending() == 0


@pytest.mark.django_db
def test_a_forecast_run_in_process_leaves_other_threads_free_to_wait_on_results(monkeypatch):
    # Eager `.delay()` marks the whole process "inside a task" while the task runs (a process-
    # global flag, restored to what it saw): a forecast after a request's rollup and the embedded
    # drain's at once left it set for good, and every later result.get() in the process raised
    # "Never call result.get() within a task!". Tasks run in process go through run_inline.
    from celery._state import task_join_will_block
    from django.db import connections

    from vmo.services import forecasts, rollups

    inside, leave = threading.Event(), threading.Event()

    def blocks_until_released(*, value_stream_ids):
        inside.set()
        leave.wait(timeout=30)
        return len(value_stream_ids)

    monkeypatch.setattr(forecasts, "forecast_value_streams", blocks_until_released)

    def a_rollup_committing():
        try:
            rollups.forecast_after_commit(value_stream_ids=[1])
        finally:
            connections.close_all()  # this thread's own connection

    runner = threading.Thread(target=a_rollup_committing)
    runner.start()
    assert inside.wait(timeout=30)
    seen_while_it_runs = task_join_will_block()
    leave.set()
    runner.join(timeout=30)

    assert (seen_while_it_runs, task_join_will_block()) == (False, False)


def test_wait_sent_returns_once_the_publisher_handed_every_nudge_over(monkeypatch, not_eager):
    release, sent = threading.Event(), []

    def slow_send_task(name, **kwargs):
        release.wait(timeout=30)
        sent.append(name)

    monkeypatch.setattr(not_eager, "send_task", slow_send_task)
    monkeypatch.setattr(publish, "_queue", publish.queue.Queue(maxsize=3))
    monkeypatch.setattr(publish, "_thread", None)
    publish.publish("vmo.tasks.rollup_outbox_drain_task")

    assert publish.wait_sent(timeout=0.2) is False  # still held by the broker
    release.set()
    assert publish.wait_sent(timeout=30) is True
    assert sent == ["vmo.tasks.rollup_outbox_drain_task"]
