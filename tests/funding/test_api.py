"""Funding API: contract fields, money parsing, headroom, revision/freeze, permissions, query counts."""

import datetime as dt

import pytest

from funding.models import Allocation, BudgetRevision, Guardrail, QuarterBudget, Scenario, Spend, Team
from tests.factories import (
    AllocationFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    ScenarioFactory,
    SpendFactory,
    TeamFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=30_000_000_00)


def _post_raw(client, url, body: str):
    return client.generic("POST", url, body, content_type="application/json")


def test_budget_fields_follow_the_contract(api_as, executive, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=25_000_000_00)

    row = api_as(executive).get(f"/api/budgets/{budget.id}/").json()

    assert row == {
        "id": budget.id,
        "quarter": budget.quarter_id,
        "total": "30000000.00",
        "status": "draft",
        "allocated": "25000000.00",
        "unallocated": "5000000.00",
        "approved_by": None,
        "approved_at": None,
    }


def test_director_creates_approves_and_closes_a_budget(api_as, director):
    quarter = QuarterFactory(code="2026-Q4")
    client = api_as(director)

    created = client.post("/api/budgets/", {"quarter": quarter.id, "total": "1000.50"}, format="json")
    budget_id = created.json()["id"]
    approved = client.post(f"/api/budgets/{budget_id}/approve/")
    closed = client.post(f"/api/budgets/{budget_id}/close/")
    again = client.post(f"/api/budgets/{budget_id}/close/")

    assert (created.status_code, created.json()["total"]) == (201, "1000.50")
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert again.status_code == 409
    assert QuarterBudget.objects.get().total_cents == 1000_50


def test_allocation_fields_and_create(api_as, director, budget, value_stream):
    response = api_as(director).post(
        "/api/allocations/",
        {"budget": budget.id, "value_stream": value_stream.id, "amount": "2500000.00", "note": "Base"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": Allocation.objects.get().id,
        "budget": budget.id,
        "value_stream": value_stream.id,
        "amount": "2500000.00",
        "note": "Base",
    }


def test_over_allocation_is_400_naming_the_headroom(api_as, director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=29_000_000_00)

    response = api_as(director).post(
        "/api/allocations/",
        {"budget": budget.id, "value_stream": value_stream.id, "amount": "1000000.01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            "Over-allocation: at most 1,000,000.00 is available for Payments (1,000,000.00 unallocated); "
            "nothing was changed."
        ]
    }
    assert Allocation.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "raw_amount"),
    [
        ("needs rounding", '"0.005"'),
        ("needs rounding as number", "0.005"),
        ("negative", '"-1.00"'),
        ("negative number", "-1"),
        ("NaN string", '"NaN"'),
        ("NaN literal", "NaN"),
        ("Infinity literal", "Infinity"),
        ("exponent", "1e2"),
        ("exponent string", '"1e2"'),
        ("huge exponent", "1e400"),
        ("thousands separator", '"1,000.00"'),
        ("arabic-indic digits", '"\\u0661\\u0660\\u0660"'),
        ("fullwidth digits", '"\\uff11\\uff10"'),
        ("huge", '"92233720368547.76"'),
        ("huge number", "1234567890123456.78"),
        ("very long", '"' + "9" * 5000 + '"'),
        ("boolean", "true"),
        ("empty", '""'),
        ("list", "[1]"),
        ("currency sign", '"$10"'),
    ],
)
def test_bad_amounts_answer_400_and_write_nothing(api_as, director, budget, value_stream, _case, raw_amount):
    body = f'{{"budget": {budget.id}, "value_stream": {value_stream.id}, "amount": {raw_amount}}}'

    response = _post_raw(api_as(director), "/api/allocations/", body)

    assert response.status_code == 400, response.content
    assert Allocation.objects.count() == 0


@pytest.mark.parametrize(("raw_amount", "cents"), [("0.1", 10), ('"0.10"', 10), ("12", 12_00), ('" 7.5 "', 7_50)])
def test_exact_amounts_are_stored_as_sent(api_as, director, budget, value_stream, raw_amount, cents):
    body = f'{{"budget": {budget.id}, "value_stream": {value_stream.id}, "amount": {raw_amount}}}'

    response = _post_raw(api_as(director), "/api/allocations/", body)

    assert response.status_code == 201, response.content
    assert Allocation.objects.get().amount_cents == cents


def test_approved_budget_allocation_change_needs_reason(api_as, director, budget, value_stream):
    allocation = AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    budget.status = "approved"
    budget.save()
    client = api_as(director)

    refused = client.patch(f"/api/allocations/{allocation.id}/", {"amount": "200.00"}, format="json")
    accepted = client.patch(
        f"/api/allocations/{allocation.id}/", {"amount": "200.00", "reason": "Hiring"}, format="json"
    )

    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    assert (accepted.status_code, accepted.json()["amount"]) == (200, "200.00")
    assert list(BudgetRevision.objects.values_list("reason", flat=True)) == ["Hiring"]


def test_closed_budget_answers_409_and_changes_nothing(api_as, director, budget, value_stream):
    allocation = AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    budget.status = "closed"
    budget.save()
    client = api_as(director)

    responses = [
        client.patch(f"/api/allocations/{allocation.id}/", {"amount": "1.00", "reason": "x"}, format="json"),
        client.patch(f"/api/budgets/{budget.id}/", {"total": "1.00", "reason": "x"}, format="json"),
        client.post("/api/guardrails/", {"budget": budget.id}, format="json"),
    ]

    assert [r.status_code for r in responses] == [409, 409, 409]
    allocation.refresh_from_db()
    budget.refresh_from_db()
    assert (allocation.amount_cents, budget.total_cents, Guardrail.objects.count()) == (100_00, 30_000_000_00, 0)


def test_financial_rows_cannot_be_deleted(api_as, director, budget, value_stream):
    allocation = AllocationFactory(budget=budget, value_stream=value_stream)
    spend = SpendFactory(value_stream=value_stream)
    client = api_as(director)

    codes = [
        client.delete(f"/api/allocations/{allocation.id}/").status_code,
        client.delete(f"/api/budgets/{budget.id}/").status_code,
        client.delete(f"/api/spend/{spend.id}/").status_code,
    ]

    assert codes == [405, 405, 405]
    assert (Allocation.objects.count(), QuarterBudget.objects.count(), Spend.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_write_money_and_nothing_changes(api_as, request, persona, budget, value_stream):
    user = request.getfixturevalue(persona)
    allocation = AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    scenario = ScenarioFactory(budget=budget)
    client = api_as(user)

    codes = [
        client.post("/api/budgets/", {"quarter": QuarterFactory(code="2027-Q1").id, "total": "1"}, format="json"),
        client.patch(f"/api/budgets/{budget.id}/", {"total": "1.00"}, format="json"),
        client.post(f"/api/budgets/{budget.id}/approve/"),
        client.post(
            "/api/allocations/", {"budget": budget.id, "value_stream": value_stream.id, "amount": "1"}, format="json"
        ),
        client.patch(f"/api/allocations/{allocation.id}/", {"amount": "1.00"}, format="json"),
        client.post("/api/guardrails/", {"budget": budget.id}, format="json"),
        client.post("/api/scenarios/", {"budget": budget.id, "name": "Mine"}, format="json"),
        client.post(f"/api/scenarios/{scenario.id}/commit/", {}, format="json"),
    ]

    assert [r.status_code for r in codes] == [403] * 8
    budget.refresh_from_db()
    allocation.refresh_from_db()
    assert (budget.total_cents, budget.status, allocation.amount_cents) == (30_000_000_00, "draft", 100_00)
    assert (QuarterBudget.objects.count(), Guardrail.objects.count(), Scenario.objects.count()) == (1, 0, 1)


def test_vsm_records_spend_for_own_stream_only(api_as, vsm, value_stream, other_value_stream):
    client = api_as(vsm)

    mine = client.post(
        "/api/spend/",
        {"value_stream": value_stream.id, "month": "2026-07-01", "amount": "1500.00", "category": "licences"},
        format="json",
    )
    theirs = client.post(
        "/api/spend/", {"value_stream": other_value_stream.id, "month": "2026-07-01", "amount": "1.00"}, format="json"
    )

    assert (mine.status_code, mine.json()["amount"], mine.json()["created_by"]) == (201, "1500.00", vsm.id)
    assert theirs.status_code == 403
    assert list(Spend.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_spend_void_by_other_vsm_is_refused(api_as, vsm, other_vsm, value_stream):
    spend = SpendFactory(value_stream=value_stream)

    denied = api_as(other_vsm).post(f"/api/spend/{spend.id}/void/")
    voided = api_as(vsm).post(f"/api/spend/{spend.id}/void/")
    twice = api_as(vsm).post(f"/api/spend/{spend.id}/void/")

    assert (denied.status_code, voided.status_code, twice.status_code) == (403, 200, 409)
    assert voided.json()["voided_by"] == vsm.id


def test_teams_show_capacity_and_are_written_by_their_managers(api_as, vsm, other_vsm, value_stream):
    QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    client = api_as(vsm)

    created = client.post(
        "/api/teams/?quarter=2026-Q3",
        {"value_stream": value_stream.id, "name": "Rocket", "cost_per_sprint": "80000.00", "sprint_length_days": 14},
        format="json",
    )
    team_id = created.json()["id"]
    denied = api_as(other_vsm).patch(f"/api/teams/{team_id}/", {"cost_per_sprint": "1.00"}, format="json")
    row = client.get(f"/api/teams/{team_id}/?quarter=2026-Q3").json()

    assert created.status_code == 201, created.json()
    assert denied.status_code == 403
    assert (row["cost_per_sprint"], row["sprints_in_quarter"], row["capacity"]) == ("80000.00", 6, "480000.00")
    assert Team.objects.get().cost_per_sprint_cents == 80_000_00


def test_guardrail_create_and_bad_percentages(api_as, director, budget):
    client = api_as(director)

    bad = client.post("/api/guardrails/", {"budget": budget.id, "business_features_pct": 90}, format="json")
    good = client.post(
        "/api/guardrails/",
        {
            "budget": budget.id,
            "business_features_pct": 55,
            "enablers_pct": 25,
            "tech_debt_pct": 10,
            "ktlo_pct": 10,
            "approval_threshold": "500000.00",
        },
        format="json",
    )

    assert (bad.status_code, list(bad.json())) == (400, ["business_features_pct"])
    assert good.status_code == 201, good.json()
    assert (good.json()["approval_threshold"], good.json()["horizon_h0_pct"]) == ("500000.00", None)


def test_scenarios_create_edit_compare_commit(api_as, director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=1_000_00)
    client = api_as(director)

    first = client.post("/api/scenarios/", {"budget": budget.id, "name": "As is"}, format="json").json()
    second = client.post("/api/scenarios/", {"budget": budget.id, "name": "Shift"}, format="json").json()
    line = client.post(
        f"/api/scenarios/{second['id']}/lines/", {"value_stream": other_value_stream.id, "amount": "400.00"}
    )
    compare = client.get(f"/api/scenarios/compare/?ids={first['id']},{second['id']}")
    commit = client.post(f"/api/scenarios/{second['id']}/commit/", {"reason": "Replan"}, format="json")

    assert line.status_code == 200
    assert sorted((r["value_stream"], r["amount"]) for r in first["lines"]) == [
        (value_stream.id, "1000.00"),
        (other_value_stream.id, "0.00"),
    ]
    onboarding = next(r for r in compare.json() if r["value_stream"] == other_value_stream.id)
    assert [(c["amount"], c["delta"]) for c in onboarding["scenarios"]] == [("0.00", "0.00"), ("400.00", "400.00")]
    assert (commit.status_code, commit.json()["committed_by"]) == (200, director.id)
    assert dict(Allocation.objects.values_list("value_stream_id", "amount_cents")) == {
        value_stream.id: 1_000_00,
        other_value_stream.id: 400_00,
    }


@pytest.mark.parametrize("ids", ["", "a,b", "999999", "1,2,3,4,5,6,7"])
def test_compare_bad_ids_is_400(api_as, executive, ids):
    assert api_as(executive).get(f"/api/scenarios/compare/?ids={ids}").status_code == 400


def test_transfer_between_streams(api_as, director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=1_000_00)

    response = api_as(director).post(
        "/api/allocations/transfer/",
        {"budget": budget.id, "source": value_stream.id, "target": other_value_stream.id, "amount": "250.25"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [r["amount"] for r in response.json()] == ["749.75", "250.25"]


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/budgets/", 2),
        ("/api/allocations/", 2),
        ("/api/guardrails/", 2),
        ("/api/teams/?quarter=2026-Q1", 4),  # quarter, count, page, members prefetch
        ("/api/spend/", 2),
        ("/api/scenarios/", 3),
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(api_as, executive, django_assert_num_queries, url, queries):
    QuarterFactory(code="2026-Q1")
    client = api_as(executive)

    def seed(n):
        for _ in range(n):
            budget = QuarterBudgetFactory()
            vs = ValueStreamFactory()
            AllocationFactory(budget=budget, value_stream=vs)
            Guardrail.objects.create(budget=budget)
            TeamFactory(value_stream=vs)
            SpendFactory(value_stream=vs)
            ScenarioFactory(budget=budget)

    seed(1)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    seed(8)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_schema_lists_the_funding_endpoints(api_as, executive):
    schema = api_as(executive).get("/api/schema/?format=json").json()
    paths = schema["paths"]

    for path in (
        "/api/budgets/",
        "/api/allocations/",
        "/api/allocations/transfer/",
        "/api/guardrails/",
        "/api/teams/",
        "/api/spend/",
        "/api/scenarios/",
        "/api/scenarios/compare/",
        "/api/scenarios/{id}/commit/",
    ):
        assert path in paths, path
    budget_props = schema["components"]["schemas"]["Budget"]["properties"]
    assert (budget_props["allocated"]["readOnly"], budget_props["unallocated"]["readOnly"]) == (True, True)
