"""Rollup outbox under concurrency, on PostgreSQL: drains share work, and no trigger is lost."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from portfolio.models import RollupDue
from portfolio.services.base import rollup_due_mark
from tests.concurrency import thread_start, threads_race
from tests.factories import ValueStreamFactory
from vmo.models import ValueStreamSnapshot
from vmo.services import rollups

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


AS_OF = dt.date(2026, 7, 28)


def test_two_drains_at_once_roll_each_value_stream_up_exactly_once(quarter, monkeypatch):
    streams = [ValueStreamFactory() for _ in range(4)]
    monkeypatch.setattr("portfolio.services.base._nudge_rollup_drain", lambda: None)  # drains run below
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id for vs in streams])

    def drain():
        return rollups.rollup_outbox_drain(as_of=AS_OF, batch_size=2)

    results = threads_race([drain, drain])

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

    drainer = thread_start(lambda: rollups.rollup_outbox_drain(as_of=AS_OF))
    assert claimed.wait(timeout=30)
    writer = thread_start(write)
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
    results = {"drain": drainer(), "write": writer()}

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

    # 18 + 1 (the key results bound to a metric, issue 11) + 13 (value_figures, issue 12) + 1 (the
    # money figures: allocations, and spend per stream and month)
    with django_assert_num_queries(33):
        rollups.rollup_value_streams(value_stream_ids=few, quarter=quarter, as_of=AS_OF)
    # 18 + 1 (the key results bound to a metric, issue 11) + 13 (value_figures, issue 12) + 1 (the
    # money figures: allocations, and spend per stream and month)
    with django_assert_num_queries(33):
        rollups.rollup_value_streams(value_stream_ids=many, quarter=quarter, as_of=AS_OF)
