"""Ingestion at scale: set-based batches, late events never undo newer ones, and the embedded
rollup drain runs after the request, once for many batches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio.models import Incident, RollupDue, WorkItem, WorkItemStatusChange
from portfolio.services import base as rollup_base
from portfolio.services.delivery import incidents_upsert, work_items_upsert
from tests.portfolio.test_api_delivery import item

pytestmark = pytest.mark.django_db


def test_a_batch_reads_with_the_same_queries_for_10_and_1000_rows(api_as, vsm, value_stream):
    client = api_as(vsm)
    client.post("/api/work-items/", [item(value_stream, -1)], format="json")  # the caller's roles, cached
    reads = []
    for start, count in ((0, 10), (10, 1000)):
        rows = [item(value_stream, n) for n in range(start, start + count)]
        with CaptureQueriesContext(connection) as queries:
            assert client.post("/api/work-items/", rows, format="json").status_code == 200
        # Writes are bulk statements (SQLite splits them by its bound-parameter limit); the
        # lookups must be one query per kind for the whole batch, whatever its size.
        reads.append(
            [q["sql"].split(" FROM ")[1][:40] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        )

    assert reads[0] == reads[1]
    # value streams, stored rows by key; the ids come from the write itself and that read
    assert len(reads[0]) == 2
    assert WorkItemStatusChange.objects.count() == 1011


def _row(value_stream, status, at, **extra):
    row = {
        "value_stream_id": value_stream.id,
        "source": "github",
        "external_id": "acme/pay#7",
        "title": "Refunds",
        "item_type": "feature",
        "status": status,
        "created_at": _at("2026-07-01T09:00:00Z"),
        "source_updated_at": at,
        **extra,
    }
    return row


def _at(text):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(text)


def test_replaying_an_old_opened_after_closed_leaves_the_item_done(value_stream):
    closed_at = _at("2026-07-05T10:00:00Z")
    work_items_upsert(rows=[_row(value_stream, "new", _at("2026-07-01T09:00:00Z"))])
    work_items_upsert(rows=[_row(value_stream, "done", closed_at, finished_at=closed_at, status_changed_at=closed_at)])

    late = work_items_upsert(rows=[_row(value_stream, "new", _at("2026-07-01T09:00:00Z"), title="Old title")])

    stored = WorkItem.objects.get()
    assert (late.created, late.updated, late.unchanged) == (0, 0, 1)
    assert late.ids == [stored.id]
    assert (stored.status, stored.title, stored.source_updated_at) == ("done", "Refunds", closed_at)
    assert list(WorkItemStatusChange.objects.order_by("id").values_list("from_status", "to_status")) == [
        ("", "new"),
        ("new", "done"),
    ]


def test_a_newer_event_still_applies(value_stream):
    work_items_upsert(rows=[_row(value_stream, "new", _at("2026-07-01T09:00:00Z"))])

    newer = work_items_upsert(rows=[_row(value_stream, "active", _at("2026-07-02T09:00:00Z"))])

    assert (newer.updated, WorkItem.objects.get().status) == (1, "active")


def test_a_late_incident_event_does_not_reopen_a_resolved_incident(value_stream):
    def incident(resolved_at, at):
        return {
            "value_stream_id": value_stream.id,
            "source": "pagerduty",
            "external_id": "P1",
            "title": "Payments down",
            "opened_at": _at("2026-07-01T09:00:00Z"),
            "resolved_at": resolved_at,
            "source_updated_at": at,
        }

    incidents_upsert(rows=[incident(_at("2026-07-01T10:00:00Z"), _at("2026-07-01T10:00:00Z"))])
    late = incidents_upsert(rows=[incident(None, _at("2026-07-01T09:00:00Z"))])

    assert late.unchanged == 1
    assert Incident.objects.get().resolved_at == _at("2026-07-01T10:00:00Z")


def test_embedded_mode_drains_after_the_request_once_for_many_batches(
    api_as, vsm, value_stream, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ROLLUP_EMBEDDED_DRAIN_DELAY = 60  # the timer never fires during the test
    drains = []
    monkeypatch.setattr(rollup_base, "_run_rollup_drain", lambda: drains.append("drain"))
    clock = Clock()
    monkeypatch.setattr(rollup_base, "embedded_drain", rollup_base.EmbeddedDrain(clock=clock))
    client = api_as(vsm)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            assert client.post("/api/work-items/", [item(value_stream, n)], format="json").status_code == 200

    timer = rollup_base.embedded_drain.timer
    assert drains == []  # nothing ran inside the requests
    assert timer is not None and timer.daemon
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]
    clock.now = 60
    fire(rollup_base.embedded_drain)  # what the timer would run, once for the three batches
    assert drains == ["drain"]
    assert rollup_base.embedded_drain.timer is None


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def fire(drain):
    """Run what the drain's timer would run when it went off (it is cancelled: no thread runs it)."""
    timer = drain.timer
    timer.cancel()
    timer.function()
    return timer


def test_a_burst_of_writes_is_drained_once_after_it_and_a_steady_stream_within_the_longest_wait(monkeypatch):
    drains = []
    monkeypatch.setattr(rollup_base, "_run_rollup_drain", lambda: drains.append("drain"))
    clock = Clock()
    drain = rollup_base.EmbeddedDrain(clock=clock)

    def write_at(second):
        clock.now = second
        drain.nudge(2, 30)

    # a burst: writes at 0, 1 and 2 s; the 2 s timer goes off while they still come, and waits
    for second in (0, 1, 2):
        write_at(second)
    first = fire(drain)
    assert (drains, drain.timer is not first, drain.timer.interval) == ([], True, 2)
    write_at(3.5)
    clock.now = 4
    fire(drain)
    assert (drains, drain.timer.interval) == ([], 1.5)  # 0.5 s quiet: 1.5 s more
    clock.now = 5.5  # 2 s without a write: the burst is over, one drain for all of it
    fire(drain)
    assert (drains, drain.timer) == (["drain"], None)

    # writes that never stop are drained 30 s after the first of them
    drains.clear()
    for second in range(100, 130):
        write_at(second)
    clock.now = 129.5
    fire(drain)
    assert (drains, drain.timer.interval) == ([], 0.5)  # not 1.5: the longest wait ends at 130
    write_at(130)
    fire(drain)
    assert drains == ["drain"]
