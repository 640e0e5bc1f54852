"""`?as_of=` on /api/budgets/ and /api/allocations/: money as it stood at the end of a day."""

import datetime as dt
import zoneinfo

import pytest

from funding import services
from funding.models import Allocation, QuarterBudget
from tests.factories import QuarterBudgetFactory

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")
D = dt.date(2026, 6, 30)


def _at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


@pytest.fixture
def money(director, quarter, value_stream, other_value_stream):
    """Budget 1,000.00 on D at 09:00 with 600.00 to Payments; at 23:59 Onboarding gets 100.00;
    the next day at 00:01 Payments goes to 700.00 and the total to 1,200.00."""
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_00)
    services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=600_00)
    services.allocation_set(user=director, budget=budget, value_stream=other_value_stream, amount_cents=100_00)
    services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=700_00)
    services.budget_total_set(user=director, budget=budget, total_cents=1_200_00)
    budget_rows = QuarterBudget.history.model.objects.order_by("history_id")
    for row, when in zip(budget_rows, [_at(D, 9), _at(D + dt.timedelta(days=1), 0, 1)], strict=True):
        type(row).objects.filter(pk=row.pk).update(history_date=when)
    alloc_rows = Allocation.history.model.objects.order_by("history_id")
    dates = [_at(D, 9), _at(D, 23, 59), _at(D + dt.timedelta(days=1), 0, 1)]
    for row, when in zip(alloc_rows, dates, strict=True):
        type(row).objects.filter(pk=row.pk).update(history_date=when)
    return budget


def test_budgets_as_of_a_day_sum_the_allocations_as_they_stood(api_as, executive, money):
    client = api_as(executive)
    then = client.get("/api/budgets/", {"as_of": D.isoformat()}).json()["results"]
    assert [(b["id"], b["total"], b["allocated"], b["unallocated"]) for b in then] == [
        (money.pk, "1000.00", "700.00", "300.00")
    ]
    after = client.get("/api/budgets/", {"as_of": (D + dt.timedelta(days=1)).isoformat()}).json()["results"]
    assert [(b["total"], b["allocated"], b["unallocated"]) for b in after] == [("1200.00", "800.00", "400.00")]
    assert client.get("/api/budgets/", {"as_of": (D - dt.timedelta(days=1)).isoformat()}).json()["results"] == []


def test_allocations_as_of_a_day(api_as, executive, money, quarter):
    client = api_as(executive)
    then = client.get("/api/allocations/", {"as_of": D.isoformat(), "quarter_code": quarter.code}).json()["results"]
    assert [(a["value_stream"], a["amount"]) for a in then] == [
        (money.allocations.get(value_stream__slug="onboarding").value_stream_id, "100.00"),
        (money.allocations.get(value_stream__slug="payments").value_stream_id, "600.00"),
    ]


def test_as_of_lists_have_a_constant_query_count(api_as, executive, money, django_assert_num_queries):
    client = api_as(executive)
    with django_assert_num_queries(2):
        client.get("/api/allocations/", {"as_of": D.isoformat()})
    with django_assert_num_queries(2):
        client.get("/api/budgets/", {"as_of": D.isoformat()})


def test_the_funding_page_as_of_a_day_shows_then_money_read_only(client, director, money, quarter):
    client.force_login(director)
    html = client.get("/funding/", {"quarter": quarter.code, "as_of": D.isoformat()}).content.decode()
    assert "You are looking at 2026-06-30: read-only." in html
    assert 'id="budget-total">1,000.00<' in html
    assert 'id="allocated">700.00<' in html
    assert 'id="headroom">300.00<' in html
    assert "funding-budget-save" not in html and 'name="amount"' not in html

    now = client.get("/funding/", {"quarter": quarter.code}).content.decode()
    assert 'id="budget-total">1,200.00<' in now
    assert 'name="amount"' in now
