"""Rollups: the snapshot job, its idempotence, the outbox drain, the command and the tasks."""

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from portfolio.models import RollupDue
from portfolio.services.base import rollup_due_mark
from tests.factories import (
    AllocationFactory,
    DeploymentFactory,
    KeyResultFactory,
    ObjectiveFactory,
    QuarterBudgetFactory,
    SpendFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
    WorkItemFactory,
)
from vmo import tasks
from vmo.models import ValueStreamSnapshot
from vmo.services import rollups

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 7, 28)


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, tzinfo=dt.UTC)


def test_rollup_writes_one_snapshot_with_every_apps_figures(quarter):
    vs = ValueStreamFactory()
    WorkItemFactory(value_stream=vs, status="done", created_at=at(1), started_at=at(2), finished_at=at(4))
    WorkItemFactory(value_stream=vs, status="active", created_at=at(1))
    for day in range(1, 5):
        DeploymentFactory(value_stream=vs, deployed_at=at(day))
    AllocationFactory(budget=QuarterBudgetFactory(quarter=quarter), value_stream=vs, amount_cents=900_000)
    SpendFactory(value_stream=vs, month=dt.date(2026, 7, 1), amount_cents=100_000)
    KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=vs), baseline=0, target=10, current=5)

    count = rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=quarter, as_of=AS_OF)

    snapshot = ValueStreamSnapshot.objects.get()
    assert count == 1
    assert (snapshot.value_stream_id, snapshot.quarter_id, snapshot.as_of) == (vs.id, quarter.id, AS_OF)
    assert snapshot.flow_velocity == 1
    assert snapshot.flow_load == 1
    assert snapshot.flow_time_median_days == 2.0
    assert snapshot.deployments_per_week == 1.0
    assert snapshot.allocated_cents == 900_000
    assert snapshot.spent_cents == 100_000
    assert snapshot.forecast_cents == 300_000
    assert snapshot.okr_score == 0.5


def test_before_any_month_is_booked_the_snapshot_has_no_forecast_and_the_pages_say_so(
    quarter, client, executive, api_as
):
    # given: a stream allocated 900,000 cents with nothing booked yet in the quarter, and one booked
    funded, booked = ValueStreamFactory(name="Funded"), ValueStreamFactory(name="Booked")
    budget = QuarterBudgetFactory(quarter=quarter)
    AllocationFactory(budget=budget, value_stream=funded, amount_cents=900_000)
    AllocationFactory(budget=budget, value_stream=booked, amount_cents=900_000)
    SpendFactory(value_stream=booked, month=dt.date(2026, 7, 1), amount_cents=100_000)

    rollups.rollup_value_streams(value_stream_ids=[funded.id, booked.id], quarter=quarter, as_of=AS_OF)

    forecasts = dict(ValueStreamSnapshot.objects.values_list("value_stream__name", "forecast_cents"))
    assert forecasts == {"Funded": None, "Booked": 300_000}
    # the overview: a dash in the stream's forecast cell, the total of the streams that have one
    client.force_login(executive)
    rows = {row.name: row for row in client.get(f"/?quarter={quarter.code}").context["rows"]}
    assert (rows["Funded"].forecast_text, rows["Booked"].forecast_text) == ("—", "3,000.00")
    # the API: null, not "0.00"
    snapshots = api_as(executive).get(f"/api/snapshots/?value_stream={funded.id}").json()["results"]
    assert [row["forecast"] for row in snapshots] == [None]


def test_a_rerun_gives_the_same_snapshot_and_no_duplicate(quarter):
    vs = ValueStreamFactory()
    WorkItemFactory(value_stream=vs, status="done", created_at=at(1), started_at=at(2), finished_at=at(4))
    rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=quarter, as_of=AS_OF)
    first = ValueStreamSnapshot.objects.values().get()

    rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=quarter, as_of=AS_OF)

    second = ValueStreamSnapshot.objects.values().get()
    first.pop("computed_at"), second.pop("computed_at")
    assert second == first


def test_a_new_day_adds_a_snapshot_for_the_trend(quarter):
    vs = ValueStreamFactory()

    rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=quarter, as_of=AS_OF)
    rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=quarter, as_of=AS_OF + dt.timedelta(days=1))

    assert list(ValueStreamSnapshot.objects.order_by("as_of").values_list("as_of", flat=True)) == [
        AS_OF,
        AS_OF + dt.timedelta(days=1),
    ]


def test_a_job_killed_halfway_leaves_the_previous_snapshot_and_the_outbox_row(quarter, monkeypatch):
    vs = ValueStreamFactory()
    ValueStreamSnapshotFactory(value_stream=vs, quarter=quarter, as_of=AS_OF, flow_velocity=7)
    RollupDue.objects.create(value_stream=vs)
    WorkItemFactory(value_stream=vs, status="done", created_at=at(1), finished_at=at(2))

    def die(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(rollups, "value_stream_okr_scores", die)
    with pytest.raises(SystemExit):
        rollups.rollup_outbox_drain(as_of=AS_OF)

    assert ValueStreamSnapshot.objects.get().flow_velocity == 7
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [vs.id]


def test_rollup_query_count_does_not_grow_with_value_streams(quarter, django_assert_num_queries):
    for _ in range(2):
        WorkItemFactory(value_stream=ValueStreamFactory(), status="done", created_at=at(1), finished_at=at(2))
    # 20 + 1 (the key results bound to a metric, issue 11) + 13 (value_figures, issue 12)
    # + 1 (the money figures: allocations and spend per month, two grouped queries)
    with django_assert_num_queries(35):
        rollups.rollup_all(quarter_id=quarter.id, as_of=AS_OF)
    for _ in range(40):
        vs = ValueStreamFactory()
        WorkItemFactory(value_stream=vs, status="done", created_at=at(1), finished_at=at(2))
        DeploymentFactory(value_stream=vs, deployed_at=at(3))
    # SQLite takes 999 variables per statement: with value_detail a snapshot row binds 27, so
    # Django sends the 42 rows' upsert in two batches there (one statement on PostgreSQL).
    with django_assert_num_queries(35 + (connection.vendor == "sqlite")):
        rollups.rollup_all(quarter_id=quarter.id, as_of=AS_OF)

    assert ValueStreamSnapshot.objects.count() == 42


def test_a_burst_of_1000_writes_drains_as_one_run_per_value_stream(quarter, monkeypatch):
    streams = [ValueStreamFactory(), ValueStreamFactory()]
    for i in range(1000):
        with transaction.atomic():
            rollup_due_mark(value_stream_ids=[streams[i % 2].id])
    runs = []
    real = rollups.rollup_value_streams

    def spy(**kwargs):
        runs.append(sorted(kwargs["value_stream_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(rollups, "rollup_value_streams", spy)

    drained = rollups.rollup_outbox_drain(as_of=AS_OF)

    assert sorted(drained) == sorted(vs.id for vs in streams)
    assert runs == [sorted(vs.id for vs in streams)]
    assert ValueStreamSnapshot.objects.count() == 2
    assert RollupDue.objects.count() == 0


def test_the_drain_is_a_no_op_when_nothing_is_due(quarter, django_assert_num_queries):
    with django_assert_num_queries(3):  # savepoint, the empty claim, release
        assert rollups.rollup_outbox_drain(as_of=AS_OF) == []


@pytest.fixture
def hung_broker():
    """A TCP port that accepts connections and never answers (a hung Redis)."""
    import socket

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def forget_broker_connections(app) -> None:
    """Make the next publish connect to `app.conf.broker_url` as it is now.

    Celery keeps the connection pool and, apart from it, the producer pool of the first publish:
    left alone, a producer from an earlier test (on memory://) would take this test's publish and
    it would pass without ever meeting the broken broker."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.parametrize("broker", ["closed", "hung"])
def test_a_write_with_the_broker_down_succeeds_and_its_rollup_waits_in_the_outbox(
    quarter, request, broker, django_capture_on_commit_callbacks, caplog
):
    import core.publish as publisher
    from config.celery import app

    vs = ValueStreamFactory()
    publisher._broken_until = 0.0  # no back-off left over from another test: this one must try
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    # Nothing listens on port 1; the hung one accepts and stays silent.
    app.conf.broker_url = "redis://127.0.0.1:1/0" if broker == "closed" else request.getfixturevalue("hung_broker")
    forget_broker_connections(app)
    try:
        with (
            caplog.at_level(logging.WARNING, logger="core.publish"),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            rollup_due_mark(value_stream_ids=[vs.id])
        # The write is done; the nudge waits for the background publisher, whose attempt fails
        # within the broker's short socket timeouts (a hang would hit the per-test timeout).
        publisher._queue.join()
    finally:
        publisher._broken_until = 0.0
        app.conf.task_always_eager, app.conf.broker_url = previous
        forget_broker_connections(app)

    # The publish gave up (short socket timeouts, no retries) and the write went on: a hang would
    # be stopped by the suite's per-test timeout instead. Speed figures belong to `make bench`.
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and messages[0].startswith("Broker unreachable (")
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [vs.id]
    assert ValueStreamSnapshot.objects.count() == 0

    rollups.rollup_outbox_drain(as_of=AS_OF)  # the broker is back: beat's drain runs

    assert ValueStreamSnapshot.objects.filter(value_stream=vs).count() == 1
    assert RollupDue.objects.count() == 0


def test_in_embedded_mode_the_nudge_drains_in_process(quarter, django_capture_on_commit_callbacks, monkeypatch):
    vs = ValueStreamFactory()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id])

    assert ValueStreamSnapshot.objects.filter(value_stream=vs, as_of=AS_OF).count() == 1
    assert RollupDue.objects.count() == 0


def test_rollup_command_for_one_value_stream_and_quarter(quarter):
    vs = ValueStreamFactory(slug="payments")
    ValueStreamFactory(slug="other")

    call_command("rollup", "--value-stream", "payments", "--quarter", "2026-Q3")

    assert list(ValueStreamSnapshot.objects.values_list("value_stream_id", "quarter_id")) == [(vs.id, quarter.id)]


@pytest.mark.parametrize(
    ("args", "message"), [(["--quarter", "1999-Q1"], "No quarter"), (["--value-stream", "x"], "No value stream")]
)
def test_rollup_command_refuses_unknown_names(quarter, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("rollup", *args)
    assert ValueStreamSnapshot.objects.count() == 0


def test_rollup_of_a_deleted_value_stream_is_skipped(quarter):
    assert rollups.rollup_value_stream(value_stream_id=999_999, quarter_id=quarter.id) == 0


def test_tasks_are_declared_for_reliability():
    for task in (tasks.rollup_outbox_drain_task, tasks.rollup_value_stream_task, tasks.rollup_all_task):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.retry_backoff is True
        assert task.retry_jitter is True
        assert task.soft_time_limit < task.time_limit < 3600
    assert tasks.rollup_outbox_drain_task.name == "vmo.tasks.rollup_outbox_drain_task"


def test_beat_schedule_drains_every_minute_and_rolls_up_nightly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["rollup-outbox-drain"]["task"] == "vmo.tasks.rollup_outbox_drain_task"
    assert schedule["rollup-outbox-drain"]["options"]["expires"] < schedule["rollup-outbox-drain"]["schedule"]
    assert schedule["rollup-nightly"]["task"] == "vmo.tasks.rollup_all_task"


def test_rollup_all_task_runs_eagerly_and_returns_json(quarter, monkeypatch):
    ValueStreamFactory()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)

    result = tasks.rollup_all_task.delay(quarter_id=quarter.id)

    assert result.get() == {"value_streams": 1}


def test_backfill_rolls_up_every_nth_day_from_the_quarter_start_and_the_last_day(quarter):
    ValueStreamFactory()  # 2026-Q3 starts on 1 July

    days = rollups.rollup_backfill(quarter_id=quarter.id, until=dt.date(2026, 7, 20), every_days=7)

    assert days == 4
    assert sorted(ValueStreamSnapshot.objects.values_list("as_of", flat=True)) == [
        dt.date(2026, 7, 1),
        dt.date(2026, 7, 8),
        dt.date(2026, 7, 15),
        dt.date(2026, 7, 20),
    ]
