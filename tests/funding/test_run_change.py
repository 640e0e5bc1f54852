"""Issue 18 point 4: change vs run (keep-the-lights-on) spend per month, hand-computed.

As of 15 July 2026, 12 months (Aug 2025 - Jul 2026), a stream with a feature epic F and a KTLO
epic K:
- July: 1,000.00 on F (change); 300.00 on K and 200.00 untagged (run); 999.00 on F voided.
- June: 250.00 on F (change); 500.00 untagged (run).
- July 2025: 777.00 untagged, before the window.
July: run 500.00, change 1,000.00; June: run 500.00, change 250.00; totals change 1,250.00,
run 1,000.00, change share 1,250 / 2,250 = 0.5556.
"""

import datetime as dt

import pytest
from django.utils import timezone

from funding.selectors import run_change as sel
from tests.factories import EpicFactory, SpendFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 7, 15)


@pytest.fixture
def stream():
    vs = ValueStreamFactory(name="Payments", slug="payments", delivery_mode="continuous")
    feature = EpicFactory(value_stream=vs, investment_type="business_features")
    ktlo = EpicFactory(value_stream=vs, investment_type="ktlo")
    july, june = dt.date(2026, 7, 1), dt.date(2026, 6, 1)
    SpendFactory(value_stream=vs, month=july, amount_cents=1000_00, epic=feature)
    SpendFactory(value_stream=vs, month=july, amount_cents=300_00, epic=ktlo)
    SpendFactory(value_stream=vs, month=july, amount_cents=200_00)
    SpendFactory(value_stream=vs, month=july, amount_cents=999_00, epic=feature, voided_at=timezone.now())
    SpendFactory(value_stream=vs, month=june, amount_cents=250_00, epic=feature)
    SpendFactory(value_stream=vs, month=june, amount_cents=500_00)
    SpendFactory(value_stream=vs, month=dt.date(2025, 7, 1), amount_cents=777_00)
    return vs


def test_run_and_change_per_month(stream):
    trend = sel.run_change_by_month(value_stream_id=stream.id, as_of=AS_OF)

    assert len(trend["labels"]) == 12
    assert (trend["labels"][0], trend["labels"][-2], trend["labels"][-1]) == ("Aug 2025", "Jun 2026", "Jul 2026")
    assert trend["run_cents"] == [0] * 10 + [500_00, 500_00]
    assert trend["change_cents"] == [0] * 10 + [250_00, 1000_00]


def test_run_and_change_totals_and_share(stream):
    assert sel.run_change_totals(value_stream_id=stream.id, as_of=AS_OF) == {
        "run_cents": 1000_00,
        "change_cents": 1250_00,
        "change_share": 0.5556,
    }


def test_nothing_booked_is_no_data():
    vs = ValueStreamFactory()

    assert sel.run_change_totals(value_stream_id=vs.id, as_of=AS_OF) == {
        "run_cents": 0,
        "change_cents": 0,
        "change_share": None,
    }


def test_the_continuous_page_shows_run_change_instead_of_a_finish(
    client, executive, current_quarter, django_assert_num_queries
):
    vs = ValueStreamFactory(name="Payments", slug="payments", delivery_mode="continuous")
    month = timezone.localdate().replace(day=1)
    SpendFactory(value_stream=vs, month=month, amount_cents=300_00, epic=EpicFactory(value_stream=vs))
    SpendFactory(value_stream=vs, month=month, amount_cents=100_00)
    client.force_login(executive)
    client.get("/value-streams/payments/")  # warm the session

    # The agile page's 31 (the currency label, issue 19; people and trains, issue 20) - its sprint
    # panel (4) + run/change (2) - 1 + the money figures' second grouped query (spend per month).
    with django_assert_num_queries(30) as small:
        html = client.get("/value-streams/payments/").content.decode()
    for n in range(10):
        SpendFactory(value_stream=vs, month=month, amount_cents=n, epic=EpicFactory(value_stream=vs))
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/value-streams/payments/")

    assert 'id="run-change"' in html
    assert 'id="chart-run-change"' in html
    assert 'id="forecast"' not in html
    assert 'id="sprints"' not in html
    assert "change share <strong>75%</strong>" in html
