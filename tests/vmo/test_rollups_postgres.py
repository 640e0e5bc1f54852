"""Rollup outbox under concurrency, on PostgreSQL: drains share work, and no trigger is lost."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from portfolio.models import RollupDue
from portfolio.services.base import rollup_due_mark
from tests.factories import QuarterFactory, ValueStreamFactory, restore_migrated_data
from vmo.models import ValueStreamSnapshot
from vmo.services import rollups

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _migrated_data(transactional_db):
    restore_migrated_data()


AS_OF = dt.date(2026, 7, 28)


@pytest.fixture
def quarter():
    return QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))


def in_thread(fn, results, key):
    def run():
        try:
            results[key] = fn()
        except Exception as exc:  # surfaced by the test's asserts
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_drains_at_once_roll_each_value_stream_up_exactly_once(quarter, monkeypatch):
    streams = [ValueStreamFactory() for _ in range(4)]
    monkeypatch.setattr("portfolio.services.base._nudge_rollup_drain", lambda: None)  # drains run below
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id for vs in streams])
    barrier = threading.Barrier(2)

    def drain():
        barrier.wait(timeout=10)
        return rollups.rollup_outbox_drain(as_of=AS_OF, batch_size=2)

    results = {}
    threads = [in_thread(drain, results, n) for n in range(2)]
    for thread in threads:
        thread.join(timeout=60)

    drained = [vs for n in range(2) for vs in results[n]]
    assert sorted(drained) == sorted(vs.id for vs in streams)
    assert ValueStreamSnapshot.objects.count() == 4
    assert RollupDue.objects.count() == 0


def test_a_write_committing_while_a_drain_runs_leaves_a_new_outbox_row(quarter, monkeypatch):
    vs = ValueStreamFactory()
    monkeypatch.setattr("portfolio.services.base._nudge_rollup_drain", lambda: None)  # drains run below
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id])
    claimed, release = threading.Event(), threading.Event()
    real = rollups.delivery_figures

    def held(**kwargs):  # the drain has claimed (deleted) the row and is computing
        claimed.set()
        release.wait(timeout=30)
        return real(**kwargs)

    monkeypatch.setattr(rollups, "delivery_figures", held)

    def write():
        with transaction.atomic():
            rollup_due_mark(value_stream_ids=[vs.id])

    results = {}
    drainer = in_thread(lambda: rollups.rollup_outbox_drain(as_of=AS_OF), results, "drain")
    assert claimed.wait(timeout=30)
    writer = in_thread(write, results, "write")
    # The writer's INSERT waits on the row the drain deleted; wait until PostgreSQL says so.
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= 1:
                break
    release.set()
    drainer.join(timeout=60)
    writer.join(timeout=60)

    assert results["write"] is None
    # The write after the claim is not lost: the same drain's next round took it, or its outbox
    # row waits for the next drain (which one depends on who commits first).
    waiting = list(RollupDue.objects.values_list("value_stream_id", flat=True))
    assert results["drain"][0] == vs.id
    assert results["drain"][1:] + waiting == [vs.id]
    assert ValueStreamSnapshot.objects.filter(value_stream=vs).count() == 1


def test_rollup_query_count_is_constant_past_sqlites_batch_size(quarter, django_assert_num_queries):
    few = [ValueStreamFactory().id for _ in range(2)]
    many = few + [ValueStreamFactory().id for _ in range(120)]

    with django_assert_num_queries(18):
        rollups.rollup_value_streams(value_stream_ids=few, quarter=quarter, as_of=AS_OF)
    with django_assert_num_queries(18):
        rollups.rollup_value_streams(value_stream_ids=many, quarter=quarter, as_of=AS_OF)
