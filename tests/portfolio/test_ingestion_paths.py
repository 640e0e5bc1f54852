"""The two write paths of ingestion give the same rows: PostgreSQL's one-statement unnest upsert
and the bulk_create upsert (SQLite, the embedded default). One scenario (new rows, a replay, an
older event, a changed status, a new tool status) runs through each path; on PostgreSQL both
paths run on the same database and their results are compared row for row."""

import datetime as dt

import pytest
from django.db import connection

from portfolio.models import WorkItem, WorkItemStatusChange
from portfolio.services import delivery
from portfolio.services.delivery import work_items_upsert

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)


def _row(vs, n, status, hours, **extra):
    return {
        "value_stream_id": vs.id,
        "source": "jira",
        "external_id": f"PAY-{n}",
        "title": f"Item {n}",
        "item_type": "feature",
        "size": 3,
        "status": status,
        "created_at": T0,
        "source_updated_at": T0 + dt.timedelta(hours=hours),
        **extra,
    }


def _scenario(vs):
    """Returns each batch's (created, updated, unchanged) and the stored rows and history."""
    at = T0 + dt.timedelta(hours=10)
    batches = [
        # new: PAY-1 new, PAY-2 already active (started at creation), PAY-3 waiting with a tool status
        [
            _row(vs, 1, "new", 0),
            _row(vs, 2, "active", 0, started_at=T0),
            _row(vs, 3, "waiting", 0, started_at=T0, tool_status=" Blocked "),
        ],
        # the same batch again: nothing changes
        [
            _row(vs, 1, "new", 0),
            _row(vs, 2, "active", 0, started_at=T0),
            _row(vs, 3, "waiting", 0, started_at=T0, tool_status=" Blocked "),
        ],
        # PAY-2 done after 10 h active; PAY-3 moves between two waiting tool statuses at 4 h
        [
            _row(vs, 2, "done", 10, status_changed_at=at, finished_at=at),
            _row(vs, 3, "waiting", 4, tool_status="review"),
        ],
        # older events: PAY-2 "active" from 5 h and PAY-3 renamed at 1 h change nothing
        [_row(vs, 2, "active", 5, title="Old"), _row(vs, 3, "waiting", 1, title="Old", tool_status="blocked")],
    ]
    counts = []
    for batch in batches:
        result = work_items_upsert(rows=batch)
        counts.append((result.created, result.updated, result.unchanged))
    items = list(
        WorkItem.objects.order_by("external_id").values_list(
            "external_id",
            "title",
            "status",
            "tool_status",
            "started_at",
            "finished_at",
            "status_changed_at",
            "active_seconds",
            "waiting_seconds",
            "source_updated_at",
        )
    )
    history = list(
        WorkItemStatusChange.objects.order_by("work_item__external_id", "changed_at", "id").values_list(
            "work_item__external_id", "from_status", "to_status", "tool_status", "changed_at"
        )
    )
    return counts, items, history


def _expected():
    at10 = T0 + dt.timedelta(hours=10)
    at4 = T0 + dt.timedelta(hours=4)
    counts = [(3, 0, 0), (0, 0, 3), (0, 2, 0), (0, 0, 2)]
    items = [
        ("PAY-1", "Item 1", "new", "", None, None, T0, 0, 0, T0),
        ("PAY-2", "Item 2", "done", "", T0, at10, at10, 36_000, 0, at10),
        ("PAY-3", "Item 3", "waiting", "review", T0, None, at4, 0, 14_400, at4),
    ]
    history = [
        ("PAY-1", "", "new", "", T0),
        ("PAY-2", "", "active", "", T0),
        ("PAY-2", "active", "done", "", at10),
        ("PAY-3", "", "waiting", "blocked", T0),
        ("PAY-3", "waiting", "waiting", "review", at4),
    ]
    return counts, items, history


@pytest.mark.parametrize("unnest", [True, False], ids=["unnest", "bulk_create"])
def test_one_scenario_gives_the_hand_computed_rows_on_each_path(monkeypatch, value_stream, unnest):
    if unnest and connection.vendor != "postgresql":
        pytest.skip("the unnest upsert is PostgreSQL's")
    monkeypatch.setattr(delivery, "_unnest_upsert", lambda: unnest)

    assert _scenario(value_stream) == _expected()


def test_the_database_refuses_an_older_event_even_when_python_did_not_see_the_newer_one(value_stream):
    """Two batches racing: the newer event commits between our read and our write. The
    statement's own WHERE keeps the newer row, the batch still reports every id, and no status
    change is recorded for a write that did not happen."""
    if connection.vendor != "postgresql":
        pytest.skip("the database-held ordering rule is the unnest upsert's")
    work_items_upsert(rows=[_row(value_stream, 1, "new", 0)])
    stored = WorkItem.objects.get()
    newer = T0 + dt.timedelta(hours=8)
    late = {
        "source": "jira",
        "external_id": "PAY-1",
        "value_stream_id": value_stream.id,
        "title": "Late",
        "status": "active",
        "created_at": T0,
        "source_updated_at": T0 + dt.timedelta(hours=2),
    }
    WorkItem.objects.filter(pk=stored.pk).update(source_updated_at=newer, status="done", title="Newer")
    result = delivery.IngestResult()

    written = delivery._finish(WorkItem, [late], delivery.WORK_ITEM_FIELDS, result, [("jira", "PAY-1")], {})

    assert written == set()
    assert result.ids == [stored.pk]
    assert WorkItem.objects.values_list("title", "status", "source_updated_at").get() == ("Newer", "done", newer)


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize("unnest", [True, False], ids=["unnest", "bulk_create"])
def test_a_naive_time_is_read_in_the_default_time_zone_on_each_path(monkeypatch, settings, value_stream, unnest):
    if unnest and connection.vendor != "postgresql":
        pytest.skip("the unnest upsert is PostgreSQL's")
    monkeypatch.setattr(delivery, "_unnest_upsert", lambda: unnest)
    settings.TIME_ZONE = "Europe/Paris"

    work_items_upsert(rows=[_row(value_stream, 1, "new", 0, created_at=dt.datetime(2026, 7, 1, 11))])

    assert WorkItem.objects.get().created_at == T0  # 11:00 in Paris (summer) is 09:00 UTC
