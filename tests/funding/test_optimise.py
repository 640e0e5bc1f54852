"""The funding optimiser: exact against brute force, never worse than WSJF order, every
constraint kept; infeasible constraints answer 400 naming the constraint; directors only."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.models import Scenario, ScenarioLine
from funding.optimiser import Candidate, Problem, bands, brute_force, greedy, solve, violations
from portfolio.models import EpicState
from tests.factories import (
    AllocationFactory,
    DependencyFactory,
    EpicFactory,
    QuarterBudgetFactory,
    TeamFactory,
)


@st.composite
def problems(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    candidates = [
        Candidate(
            id=i,
            key=f"E{i}",
            value_stream_id=draw(st.sampled_from([1, 2])),
            cost=draw(st.integers(min_value=1, max_value=20)),
            value=draw(st.integers(min_value=0, max_value=30)),
            investment_type=draw(st.sampled_from(["business_features", "enablers"])),
            horizon=draw(st.sampled_from(["", "h1", "h2"])),
            fixed=draw(st.booleans()) and draw(st.booleans()),
        )
        for i in range(n)
    ]
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    requires = draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True)) if pairs else []
    investment = {}
    if draw(st.booleans()):
        investment = bands({"business_features": 60, "enablers": 40}, 10, {c.investment_type for c in candidates})
    horizon = {}
    if draw(st.booleans()):
        horizon = bands({"h1": 50, "h2": 50}, 15, {c.horizon for c in candidates if c.horizon})
    return Problem(
        candidates=candidates,
        budget=draw(st.integers(min_value=0, max_value=100)),
        capacity={1: draw(st.integers(min_value=0, max_value=60))} if draw(st.booleans()) else {},
        investment=investment,
        horizon=horizon,
        requires=requires,
        pin_out=set(draw(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=1))),
    )


@settings(max_examples=150, deadline=None)
@given(problems())
def test_optimum_equals_brute_force_keeps_every_constraint_and_beats_wsjf_order(problem):
    best = solve(problem)
    optimum = brute_force(problem)
    if optimum is None:
        assert best.status == "infeasible"
        return
    assert best.status == "optimal"
    assert best.value == optimum
    assert violations(problem, set(best.chosen)) == []
    plain = greedy(problem)
    if not plain.broken:  # WSJF order checks no guardrail; where it keeps them all it is a candidate
        assert best.value >= plain.value


def test_knapsack_where_wsjf_order_loses():
    # Budget 10. WSJF order takes A (value 6, cost 6: ratio 1.0) and then nothing fits; the
    # optimum takes B and C (5 + 5 = 10 for cost 5 + 5).
    problem = Problem(
        candidates=[Candidate(1, "A", 1, 6, 6), Candidate(2, "B", 1, 5, 5), Candidate(3, "C", 1, 5, 5)], budget=10
    )
    assert solve(problem).chosen == {2, 3}
    assert (greedy(problem).chosen, greedy(problem).value, greedy(problem).skipped) == (
        {1},
        6,
        {2: "budget", 3: "budget"},
    )


@pytest.fixture
def planned(quarter, value_stream, other_value_stream):
    """2026-Q3 with a budget of 1,000,000.00, one team per stream (capacity 6 sprints x 100,000
    = 600,000.00), and candidates in both streams."""
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)
    TeamFactory(value_stream=value_stream, cost_per_sprint_cents=100_000_00, sprint_length_days=14)
    TeamFactory(value_stream=other_value_stream, cost_per_sprint_cents=100_000_00, sprint_length_days=14)
    scored = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 8}
    a = EpicFactory(
        key="A",
        value_stream=value_stream,
        state=EpicState.BACKLOG,
        target_quarter=quarter,
        estimated_cost_cents=600_000_00,
        **scored,
    )
    b = EpicFactory(
        key="B",
        value_stream=value_stream,
        state=EpicState.BACKLOG,
        target_quarter=quarter,
        estimated_cost_cents=500_000_00,
        business_value=5,
        time_criticality=5,
        risk_reduction=3,
        job_size=8,
    )
    c = EpicFactory(
        key="C",
        value_stream=other_value_stream,
        state=EpicState.ANALYZING,
        target_quarter=quarter,
        estimated_cost_cents=500_000_00,
        business_value=5,
        time_criticality=5,
        risk_reduction=3,
        job_size=8,
    )
    scenario = Scenario.objects.create(budget=budget, name="Base")
    return budget, scenario, (a, b, c)


def test_director_optimises_into_a_new_scenario(planned, director, api_as):
    _budget, scenario, (a, _b, c) = planned
    # Points: A 16 (WSJF 2.0), B 13, C 13. WSJF order funds A (600,000) and then neither B nor
    # C fits the 400,000 left; the optimum funds B and C: 26 points for 1,000,000.
    response = api_as(director).post(f"/api/scenarios/{scenario.id}/optimise/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    result = body["optimisation"]
    assert (result["basis"], result["optimum_value"], result["wsjf_value"]) == ("WSJF cost-of-delay points", 26, 16)
    assert (result["optimum_cost"], result["wsjf_cost"]) == ("1000000.00", "600000.00")
    assert {(d["key"], d["funded_by"], d["why"]) for d in result["differences"]} == {
        ("A", "wsjf", "budget; capacity"),  # with B it also overfills the team (600,000)
        ("B", "optimum", "budget"),
        ("C", "optimum", "budget"),
    }
    # 100,000 more: A and C (16 + 13 = 29 for 1,100,000) replace B and C: 3 points more.
    assert result["shadow_price"] == {"step": "100000.00", "value": 3, "next_epics": ["A"]}
    new = Scenario.objects.get(pk=body["scenario"]["id"])
    assert new.name == "Base optimised"
    assert dict(
        ScenarioLine.objects.filter(scenario=new).values_list(
            "value_stream__key" if False else "value_stream_id", "amount_cents"
        )
    ) == {
        a.value_stream_id: 500_000_00,
        c.value_stream_id: 500_000_00,
    }


def test_infeasible_constraints_answer_400_naming_the_constraint(planned, director, api_as):
    _budget, scenario, (a, b, _c) = planned
    before = Scenario.objects.count()
    response = api_as(director).post(
        f"/api/scenarios/{scenario.id}/optimise/", {"pin_in": [a.id, b.id], "use_capacity": False}, format="json"
    )
    assert response.status_code == 400
    assert "budget" in str(response.json())
    assert Scenario.objects.count() == before


def test_dependency_keeps_an_epic_out_without_the_one_it_needs(planned, director, api_as):
    _budget, scenario, (a, _b, c) = planned
    DependencyFactory(epic=c, depends_on=a)
    response = api_as(director).post(f"/api/scenarios/{scenario.id}/optimise/", {}, format="json")
    result = response.json()["optimisation"]
    funded = {key for row in result["value_streams"] for key in row["epics"]}
    assert "C" not in funded or "A" in funded


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_optimise_and_a_refusal_changes_nothing(planned, persona, request, api_as):
    _budget, scenario, _ = planned
    before = Scenario.objects.count()
    response = api_as(request.getfixturevalue(persona)).post(
        f"/api/scenarios/{scenario.id}/optimise/", {}, format="json"
    )
    assert response.status_code == 403
    assert Scenario.objects.count() == before


def test_bad_input_is_400(planned, director, api_as):
    _, scenario, _ = planned
    client = api_as(director)
    assert (
        client.post(f"/api/scenarios/{scenario.id}/optimise/", {"pin_in": [999999]}, format="json").status_code == 400
    )
    assert client.post(f"/api/scenarios/{scenario.id}/optimise/", {"budget": "1.001"}, format="json").status_code == 400
    assert client.post(f"/api/scenarios/{scenario.id}/optimise/", {"pin_in": "x"}, format="json").status_code == 400


def test_streams_without_candidates_keep_their_allocation(planned, director, api_as):
    # Given a third stream holding 300,000.00 with no candidate epic: 700,000.00 is left to fund
    # epics with, so A (16 points, 600,000) beats B or C (13 points, 500,000) and B + C no longer fits.
    budget, scenario, (a, _, _) = planned
    kept = AllocationFactory(budget=budget, amount_cents=300_000_00)
    response = api_as(director).post(f"/api/scenarios/{scenario.id}/optimise/", {}, format="json")
    result = response.json()["optimisation"]
    assert (result["budget"], result["optimum_value"]) == ("700000.00", 16)
    new = Scenario.objects.get(pk=response.json()["scenario"]["id"])
    lines = dict(ScenarioLine.objects.filter(scenario=new).values_list("value_stream_id", "amount_cents"))
    assert kept.value_stream_id not in lines
    assert lines[a.value_stream_id] == 600_000_00
