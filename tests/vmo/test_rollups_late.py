"""Late data rolls the right quarter: a write dated in a past day marks that day in the outbox,
and the drain (or `manage.py rollup --since`) recomputes every snapshot from it, closing
snapshots of finished quarters included (issue 11, point 7)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.services.spend import spend_record, spend_void
from portfolio.models import RollupDue
from portfolio.services.base import rollup_due_mark
from tests.factories import (
    AllocationFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    SpendFactory,
    ValueStreamFactory,
)
from vmo.models import ValueStreamSnapshot
from vmo.selectors.reports import monthly_report
from vmo.selectors.snapshots import snapshot_latest
from vmo.services import rollups

pytestmark = pytest.mark.django_db

OCT_5 = dt.date(2026, 10, 5)


@pytest.fixture
def next_quarter(quarter):
    """2026-Q4, the quarter after 2026-Q3 (the current one on 5 October)."""
    return QuarterFactory(code="2026-Q4")


def _spent(value_stream, quarter, day):
    return ValueStreamSnapshot.objects.values_list("spent_cents", "forecast_cents").get(
        value_stream=value_stream, quarter=quarter, as_of=day
    )


def test_september_spend_booked_on_5_october_changes_q3s_closing_snapshot(quarter, next_quarter, value_stream, vsm):
    # given: Q3 closed with July and August booked (100,000.00 each) and its closing snapshot taken
    AllocationFactory(budget=QuarterBudgetFactory(quarter=quarter), value_stream=value_stream, amount_cents=900_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=100_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=100_000_00)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=quarter.end)
    # 200,000 + 100,000 (average of 2 booked months) x 1 month without spend
    assert _spent(value_stream, quarter, quarter.end) == (200_000_00, 300_000_00)

    # when: September's 130,000.00 is booked on 5 October and the outbox drains
    spend_record(user=vsm, value_stream=value_stream, month=dt.date(2026, 9, 1), amount_cents=130_000_00)
    assert list(RollupDue.objects.values_list("value_stream_id", "since")) == [(value_stream.id, dt.date(2026, 9, 1))]
    drained = rollups.rollup_outbox_drain(as_of=OCT_5)

    # then: Q3's closing snapshot is corrected, and so is every day from 1 September
    assert drained == [value_stream.id]
    assert RollupDue.objects.count() == 0
    assert _spent(value_stream, quarter, quarter.end) == (330_000_00, 330_000_00)
    assert _spent(value_stream, quarter, dt.date(2026, 9, 1)) == (330_000_00, 330_000_00)
    days = ValueStreamSnapshot.objects.filter(value_stream=value_stream)
    assert days.filter(quarter=quarter).count() == 30  # 1 to 30 September
    assert list(days.filter(quarter=next_quarter).values_list("as_of", flat=True).order_by("as_of")) == [
        dt.date(2026, 10, day) for day in range(1, 6)
    ]
    # what "then and now" and the reports read: the quarter's latest snapshot and its spend
    assert snapshot_latest(quarter=quarter).get().spent_cents == 330_000_00
    assert monthly_report(month=dt.date(2026, 9, 1), value_stream=value_stream).spend_total_cents == 130_000_00


def test_voiding_spend_of_a_closed_month_rolls_its_quarter_again(quarter, next_quarter, value_stream, vsm):
    wrong = SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=50_000_00)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=quarter.end)
    assert _spent(value_stream, quarter, quarter.end) == (50_000_00, 150_000_00)

    spend_void(user=vsm, spend=wrong, reason="booked twice")
    rollups.rollup_outbox_drain(as_of=OCT_5)

    # nothing booked any more: no rate, so no forecast (not one of 0)
    assert _spent(value_stream, quarter, quarter.end) == (0, None)


def test_the_outbox_keeps_the_earliest_day_of_the_writes_waiting(value_stream):
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[value_stream.id])
    assert RollupDue.objects.get().since is None
    for day, expected in [
        (dt.date(2026, 9, 10), dt.date(2026, 9, 10)),
        (dt.date(2026, 10, 2), dt.date(2026, 9, 10)),
        (dt.datetime(2026, 9, 3, 23, 30, tzinfo=dt.UTC), dt.date(2026, 9, 3)),
        (None, dt.date(2026, 9, 3)),
    ]:
        with transaction.atomic():
            rollup_due_mark(value_stream_ids=[value_stream.id], since=day)
        assert RollupDue.objects.get().since == expected


def test_the_drain_runs_once_per_day_for_all_streams_due_that_day(quarter, next_quarter, monkeypatch):
    # given: A has data late since 29 September, B since 30 September, C only today's figures
    a, b, c = ValueStreamFactory(), ValueStreamFactory(), ValueStreamFactory()
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[a.id], since=dt.date(2026, 9, 29))
        rollup_due_mark(value_stream_ids=[b.id], since=dt.date(2026, 9, 30))
        rollup_due_mark(value_stream_ids=[c.id])
    runs = []
    real = rollups.rollup_value_streams

    def spy(**kwargs):
        runs.append((kwargs["quarter"].code, kwargs["as_of"], sorted(kwargs["value_stream_ids"])))
        return real(**kwargs)

    monkeypatch.setattr(rollups, "rollup_value_streams", spy)

    rollups.rollup_outbox_drain(as_of=dt.date(2026, 10, 1))

    assert runs == [
        ("2026-Q4", dt.date(2026, 10, 1), sorted([a.id, b.id, c.id])),  # today, every stream
        ("2026-Q3", dt.date(2026, 9, 29), [a.id]),
        ("2026-Q3", dt.date(2026, 9, 30), sorted([a.id, b.id])),  # Q3's closing snapshot
    ]


def _drain_queries(streams, since):
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id for vs in streams], since=since)
    with CaptureQueriesContext(connection) as queries:
        rollups.rollup_outbox_drain(as_of=OCT_5)
    return len(queries)


def test_late_data_drain_queries_do_not_grow_with_value_streams(quarter, next_quarter):
    few = _drain_queries([ValueStreamFactory() for _ in range(2)], dt.date(2026, 9, 28))
    many = _drain_queries([ValueStreamFactory() for _ in range(30)], dt.date(2026, 9, 28))

    # 8 days (28 September to 5 October), each one set-based run, and the claim
    assert few == many
    assert ValueStreamSnapshot.objects.filter(as_of=dt.date(2026, 9, 30)).count() == 32


def test_a_deployment_of_last_quarter_marks_its_day(api_as, vsm, value_stream):
    response = api_as(vsm).post(
        "/api/deployments/",
        [
            {
                "value_stream": value_stream.id,
                "source": "github",
                "external_id": f"d{n}",
                "environment": "production",
                "deployed_at": at,
            }
            for n, at in enumerate(["2026-09-30T23:30:00Z", "2026-06-30T10:00:00Z"])
        ],
        format="json",
    )

    assert response.status_code == 200, response.json()  # a bulk post answers 200 with the counts
    assert RollupDue.objects.get().since == dt.date(2026, 6, 30)


def test_a_work_item_finished_last_quarter_marks_its_finish_day(api_as, vsm, value_stream):
    response = api_as(vsm).post(
        "/api/work-items/",
        {
            "value_stream": value_stream.id,
            "source": "jira",
            "external_id": "PAY-1",
            "title": "Late",
            "item_type": "feature",
            "status": "done",
            "created_at": "2026-06-01T09:00:00Z",
            "started_at": "2026-06-02T09:00:00Z",
            "finished_at": "2026-09-29T15:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert RollupDue.objects.get().since == dt.date(2026, 9, 29)


@pytest.fixture
def today_is_5_october(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return OCT_5 if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def test_rollup_command_since_recomputes_every_day_from_it(quarter, next_quarter, value_stream, today_is_5_october):
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 9, 1), amount_cents=10_000_00)

    call_command("rollup", "--since", "2026-09-29")

    # 29 and 30 September (Q3), 1 to 5 October (Q4)
    assert ValueStreamSnapshot.objects.filter(quarter=quarter).count() == 2
    assert ValueStreamSnapshot.objects.filter(quarter=next_quarter).count() == 5
    assert _spent(value_stream, quarter, quarter.end) == (10_000_00, 30_000_00)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "5 October"], "--since wants a date such as 2026-10-05"),
        (["--since", "2026-10-06"], "--since 2026-10-06 is in the future."),
        (["--since", "2026-09-01", "--quarter", "2026-Q3"], "Give --quarter or --since, not both"),
    ],
)
def test_rollup_command_since_refuses_bad_input(quarter, today_is_5_october, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollup", *args)
    assert ValueStreamSnapshot.objects.count() == 0
