"""The funding demo data: budgets for three quarters, allocations within totals, 18 months of spend."""

import datetime as dt

import pytest

from funding import demo
from funding.models import Allocation, Guardrail, QuarterBudget, Scenario, Spend, Team
from portfolio import demo as portfolio_demo

pytestmark = pytest.mark.django_db


def _counts():
    models = (QuarterBudget, Allocation, Guardrail, Team, Spend, Scenario)
    return [m.objects.count() for m in models] + [Allocation.history.count()]


def test_demo_funding_is_realistic_and_idempotent():
    ctx = portfolio_demo.seed_base(password="pw", today=dt.date(2026, 11, 22))

    demo.seed(ctx)
    first = _counts()
    demo.seed(ctx)

    assert _counts() == first
    statuses = dict(QuarterBudget.objects.values_list("quarter__code", "status"))
    assert statuses == {"2026-Q3": "closed", "2026-Q4": "approved", "2027-Q1": "draft"}
    current = QuarterBudget.objects.get(quarter__code="2026-Q4")
    allocated = sum(current.allocations.values_list("amount_cents", flat=True))
    assert (current.total_cents, allocated) == (30_000_000_00, 29_500_000_00)
    months = sorted(set(Spend.objects.values_list("month", flat=True)))
    assert (len(months), months[0], months[-1]) == (18, dt.date(2025, 6, 1), dt.date(2026, 11, 1))
    assert Scenario.objects.get().name == "Lending push"
