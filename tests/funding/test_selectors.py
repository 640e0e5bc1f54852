"""Funding reads: burn and forecast, team capacity, guardrail mix, scenario comparison, history."""

import datetime as dt
from decimal import Decimal

import pytest

from funding import services
from funding.selectors.budgets import budget_list, stream_rows
from funding.selectors.guardrails import guardrail_mix
from funding.selectors.history import budget_history
from funding.selectors.scenarios import scenario_compare
from funding.selectors.teams import team_list
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    GuardrailFactory,
    QuarterBudgetFactory,
    SpendFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=3_000_000_00)


def test_burn_per_value_stream_hand_computed(quarter, budget, value_stream, other_value_stream):
    # given: 1.2M allocated, 250,000.00 + 230,000.01 spent in July and August, 2 of 3 months started
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=1_200_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=250_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=230_000_01)

    rows = {r.value_stream.pk: r for r in stream_rows(quarter=quarter, as_of=dt.date(2026, 8, 20), budget=budget)}

    mine = rows[value_stream.pk]
    # spent 480,000.01; run rate 240,000.005 -> 240,000.01 (half up); forecast x3 = 720,000.015 -> 720,000.02
    assert (mine.spent_cents, mine.run_rate_cents, mine.forecast_cents) == (480_000_01, 240_000_01, 720_000_02)
    assert mine.variance_cents == 479_999_98
    assert (mine.spent_pct, mine.bar_pct, mine.overrun) == (40, 40, False)
    other = rows[other_value_stream.pk]
    assert (other.allocated_cents, other.spent_cents, other.spent_pct, other.bar_pct) == (0, 0, None, 0)


def test_team_capacity_is_whole_sprints_in_the_quarter_times_cost(quarter, value_stream):
    # 2026-Q3 has 92 days: 92 // 14 = 6 sprints, 92 // 10 = 9 sprints
    TeamFactory(value_stream=value_stream, name="A", cost_per_sprint_cents=100_000_00, sprint_length_days=14)
    TeamFactory(value_stream=value_stream, name="B", cost_per_sprint_cents=50_000_00, sprint_length_days=10)
    TeamFactory(value_stream=value_stream, name="Gone", cost_per_sprint_cents=1_00, active=False)

    teams = {t.name: (t.sprints_in_quarter, t.capacity_cents) for t in team_list(quarter=quarter)}
    row = next(
        r for r in stream_rows(quarter=quarter, as_of=quarter.start, budget=None) if r.value_stream == value_stream
    )

    assert teams == {"A": (6, 600_000_00), "B": (9, 450_000_00), "Gone": (6, 6_00)}
    assert row.capacity_cents == 1_050_000_00


def test_budget_list_annotates_allocated_and_unallocated(budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=1_000_000_00)
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=500_000_50)

    row = budget_list().get(pk=budget.pk)

    assert (row.allocated_cents, row.unallocated_cents) == (1_500_000_50, 1_499_999_50)


def test_guardrail_mix_flags_drift_beyond_tolerance(quarter, budget, value_stream):
    guardrail = GuardrailFactory(
        budget=budget, business_features_pct=60, enablers_pct=20, tech_debt_pct=10, ktlo_pct=10, drift_tolerance_pct=5
    )
    kw = {"value_stream": value_stream, "target_quarter": quarter}
    EpicFactory(**kw, state="implementing", investment_type="business_features", estimated_cost_cents=700_00)
    EpicFactory(**kw, state="backlog", investment_type="enablers", estimated_cost_cents=200_00)
    EpicFactory(**kw, state="backlog", investment_type="tech_debt", estimated_cost_cents=100_00)
    EpicFactory(**kw, state="funnel", investment_type="ktlo", estimated_cost_cents=999_00)  # not committed

    rows = {r.investment_type: r for r in guardrail_mix(quarter=quarter, guardrail=guardrail)}

    assert {k: (r.planned_pct, r.actual_pct, r.drift) for k, r in rows.items()} == {
        "business_features": (60, Decimal("70.0"), True),
        "enablers": (20, Decimal("20.0"), False),
        "tech_debt": (10, Decimal("10.0"), False),
        "ktlo": (10, Decimal("0.0"), True),
    }


def test_scenario_compare_funds_epics_in_wsjf_order(director, quarter, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=500_00)
    TeamFactory(value_stream=value_stream, cost_per_sprint_cents=100_00, sprint_length_days=14)  # 6 sprints: 600.00
    kw = {"value_stream": value_stream, "target_quarter": quarter, "time_criticality": 1, "risk_reduction": 1}
    EpicFactory(key="IMP", state="implementing", estimated_cost_cents=300_00, business_value=1, job_size=20, **kw)
    EpicFactory(key="HI", state="backlog", estimated_cost_cents=200_00, business_value=20, job_size=2, **kw)  # 11
    EpicFactory(key="MID", state="backlog", estimated_cost_cents=100_00, business_value=8, job_size=2, **kw)  # 5
    EpicFactory(key="LOW", state="backlog", estimated_cost_cents=50_00, business_value=1, job_size=1, **kw)  # 3
    lean = services.scenario_create(user=director, budget=budget, name="Lean")
    rich = services.scenario_create(user=director, budget=budget, name="Rich")
    services.scenario_line_set(user=director, scenario=rich, value_stream=value_stream, amount_cents=650_00)

    rows = scenario_compare(scenarios=[lean, rich])

    row = next(r for r in rows if r.value_stream == value_stream)
    lean_cell, rich_cell = row.cells
    assert (lean_cell.amount_cents, lean_cell.delta_cents, lean_cell.capacity_covered_pct) == (500_00, 0, 83)
    assert (lean_cell.funded_epics, lean_cell.wsjf_funded) == (["IMP", "HI"], Decimal("11.15"))
    assert (rich_cell.amount_cents, rich_cell.delta_cents, rich_cell.capacity_covered_pct) == (650_00, 150_00, 108)
    assert rich_cell.funded_epics == ["IMP", "HI", "MID", "LOW"]
    assert rich_cell.wsjf_funded == Decimal("19.15")


def test_history_shows_who_old_and_new(director, budget, value_stream):
    services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=100_00)
    services.budget_approve(user=director, budget=budget)
    services.allocation_set(
        user=director, budget=budget, value_stream=value_stream, amount_cents=250_00, reason="More work"
    )

    rows = budget_history(budget=budget)

    allocation_rows = [(r.what, r.old, r.new, r.reason, r.who) for r in rows if r.what.startswith("Allocation")]
    assert allocation_rows == [
        ("Allocation Payments", "100.00", "250.00", "More work", "dora_director"),
        ("Allocation Payments", "—", "100.00", "", "dora_director"),
    ]
    assert [(r.old, r.new) for r in rows if r.what == "Budget"] == [
        ("draft", "3,000,000.00, approved"),
        ("—", "3,000,000.00, draft"),
    ]


def test_stream_rows_query_count_is_constant(quarter, budget, django_assert_num_queries):
    def run():
        return stream_rows(quarter=quarter, as_of=dt.date(2026, 8, 1), budget=budget)

    AllocationFactory(budget=budget)
    # the current quarter (2: none contains today), money (allocations, spend by month), streams
    with django_assert_num_queries(5):
        run()
    for _ in range(10):
        AllocationFactory(budget=budget)
        TeamFactory()
    with django_assert_num_queries(5):
        run()
