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
    # 18 closed months: November's spend is booked when it closes
    assert (len(months), months[0], months[-1]) == (18, dt.date(2025, 5, 1), dt.date(2026, 10, 1))
    assert Scenario.objects.get().name == "Lending push"


def test_demo_has_last_quarters_closed_participatory_session_with_its_scenario():
    from funding.models import PBSession
    from funding.selectors.participatory import pb_outcome, pb_outcome_replayed
    from portfolio import demo_epics

    ctx = portfolio_demo.seed_base(password="pw", today=dt.date(2026, 11, 22))
    demo_epics.seed_epics(ctx)

    demo.seed(ctx)
    demo.seed(ctx)

    session = PBSession.objects.get()
    assert (session.budget.quarter.code, session.status) == ("2026-Q3", "closed")
    assert session.closed_at.date() == dt.date(2026, 9, 10)
    assert session.scenario.name == "Participatory: 2026-Q3 business owners"
    outcome = pb_outcome(session=session)
    assert [len(keys) for keys in outcome.per_table.values()] == [2, 1]
    assert len(outcome.overall) == 2
    assert outcome == pb_outcome_replayed(session=session)


def test_demo_history_makes_the_past_differ_from_today():
    from funding.selectors.history import allocations_as_of

    ctx = portfolio_demo.seed_base(password="pw", today=dt.date(2026, 11, 22))
    demo.seed(ctx)
    current = ctx.quarters["current"]  # 2026-Q4: planned on 17 September, shifted on 22 October

    def mobile_lending(day):
        rows = dict(
            allocations_as_of(day=day)
            .filter(budget__quarter=current, value_stream__slug__in=["mobile", "lending"])
            .values_list("value_stream__slug", "amount_cents")
        )
        return rows.get("mobile"), rows.get("lending")

    assert mobile_lending(dt.date(2026, 9, 16)) == (None, None)
    assert mobile_lending(dt.date(2026, 10, 1)) == (5_400_000_00, 5_600_000_00)
    assert mobile_lending(dt.date(2026, 10, 22)) == (5_000_000_00, 6_000_000_00)


def test_demo_spend_runs_to_plan_but_for_payments_overtime():
    """In a quarter's last month (its first two booked), every stream's forecast is within its
    allocation but payments', whose overtime last month takes it a little over. Seeded on a fixed
    day: the forecast projects the booked months, so in a quarter's first month (nothing booked
    yet) it reads differently, as it would with real data."""
    from funding.selectors.budgets import stream_rows

    today = dt.date(2026, 12, 1)
    ctx = portfolio_demo.seed_base(password="pw", today=today)
    demo.seed(ctx)
    current = ctx.quarters["current"]
    rows = stream_rows(quarter=current, as_of=today, budget=QuarterBudget.objects.get(quarter=current))

    assert {r.booked_months for r in rows} == {(dt.date(2026, 10, 1), dt.date(2026, 11, 1))}
    assert [r.value_stream.slug for r in rows if r.overrun] == ["payments"]
    payments = next(r for r in rows if r.value_stream.slug == "payments")
    assert payments.forecast_cents * 100 < payments.allocated_cents * 115
    assert all(r.forecast_cents * 100 >= r.allocated_cents * 85 for r in rows)
