"""Funding services: budgets, allocations (headroom, revision, freeze), guardrails, estimates, spend."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding import services
from funding.models import Allocation, BudgetRevision, BudgetStatus, EpicEstimate, Guardrail, QuarterBudget, Spend
from portfolio.models import RollupDue
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    SpendFactory,
    TeamFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=1_000_00)


def test_director_allocates_within_the_total(director, budget, value_stream):
    allocation = services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=600_00)

    assert allocation.amount_cents == 600_00
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]
    assert allocation.history.count() == 1


def test_over_allocation_names_the_headroom_and_writes_nothing(director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=700_00)

    with pytest.raises(ValidationError) as exc:
        services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=300_01)

    assert exc.value.message_dict["amount"] == [
        "Over-allocation: at most 300.00 is available for Payments (300.00 unallocated); nothing was changed."
    ]
    assert Allocation.objects.filter(value_stream=value_stream).exists() is False
    assert RollupDue.objects.count() == 0


def test_raising_an_existing_allocation_counts_only_the_others(director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=400_00)
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=500_00)

    allocation = services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=600_00)

    assert allocation.amount_cents == 600_00


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_allocate(request, persona, budget, value_stream):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.allocation_set(user=user, budget=budget, value_stream=value_stream, amount_cents=1_00)

    assert Allocation.objects.count() == 0


def test_approved_budget_changes_only_with_a_reason(director, budget, value_stream):
    services.budget_approve(user=director, budget=budget)

    with pytest.raises(ValidationError) as exc:
        services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=100_00)
    allocation = services.allocation_set(
        user=director, budget=budget, value_stream=value_stream, amount_cents=100_00, reason="New hires in Q3"
    )

    assert "reason" in exc.value.message_dict
    revision = BudgetRevision.objects.get()
    assert (revision.budget_id, revision.reason, revision.created_by_id) == (budget.id, "New hires in Q3", director.id)
    history = allocation.history.get()
    assert (history.history_change_reason, history.history_user_id) == ("New hires in Q3", director.id)


def test_approved_budget_total_revision_and_floor(director, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=800_00)
    services.budget_approve(user=director, budget=budget)

    with pytest.raises(ValidationError) as too_low:
        services.budget_total_set(user=director, budget=budget, total_cents=799_99, reason="cut")
    services.budget_total_set(user=director, budget=budget, total_cents=900_00, reason="cut")

    assert too_low.value.message_dict["total"] == ["800.00 is already allocated; the total cannot be lower than that."]
    budget.refresh_from_db()
    assert budget.total_cents == 900_00
    assert BudgetRevision.objects.filter(budget=budget).count() == 1


def test_closed_budget_is_frozen(director, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    services.budget_approve(user=director, budget=budget)
    services.budget_close(user=director, budget=budget)

    with pytest.raises(services.FundingConflict):
        services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=1_00, reason="x")
    with pytest.raises(services.FundingConflict):
        services.budget_total_set(user=director, budget=budget, total_cents=2_000_00, reason="x")
    with pytest.raises(services.FundingConflict):
        services.guardrail_set(user=director, budget=budget, approval_threshold_cents=1)

    budget.refresh_from_db()
    assert (budget.status, budget.total_cents) == (BudgetStatus.CLOSED, 1_000_00)
    assert Allocation.objects.get().amount_cents == 100_00


def test_budget_lifecycle_refuses_wrong_transitions(director, budget):
    with pytest.raises(services.FundingConflict):
        services.budget_close(user=director, budget=budget)
    services.budget_approve(user=director, budget=budget)
    with pytest.raises(services.FundingConflict):
        services.budget_approve(user=director, budget=budget)

    budget.refresh_from_db()
    assert (budget.status, budget.approved_by_id) == (BudgetStatus.APPROVED, director.id)


def test_transfer_moves_money_and_conserves_the_total(director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=600_00)
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=300_00)

    services.allocation_transfer(
        user=director, budget=budget, source=value_stream, target=other_value_stream, amount_cents=250_50
    )

    amounts = dict(Allocation.objects.values_list("value_stream_id", "amount_cents"))
    assert amounts == {value_stream.id: 349_50, other_value_stream.id: 550_50}


def test_transfer_of_more_than_the_source_has_changes_nothing(director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)

    with pytest.raises(ValidationError):
        services.allocation_transfer(
            user=director, budget=budget, source=value_stream, target=other_value_stream, amount_cents=100_01
        )

    assert dict(Allocation.objects.values_list("value_stream_id", "amount_cents")) == {value_stream.id: 100_00}


def test_guardrails_must_sum_to_100(director, budget):
    with pytest.raises(ValidationError) as exc:
        services.guardrail_set(user=director, budget=budget, business_features_pct=70)
    guardrail = services.guardrail_set(
        user=director, budget=budget, business_features_pct=50, enablers_pct=25, tech_debt_pct=15, ktlo_pct=10
    )

    assert exc.value.message_dict["business_features_pct"] == ["Capacity percentages sum to 110, not 100."]
    assert (guardrail.business_features_pct, Guardrail.objects.count()) == (50, 1)


def test_horizon_mix_is_all_or_none(director, budget):
    with pytest.raises(ValidationError):
        services.guardrail_set(user=director, budget=budget, horizon_h0_pct=10)
    guardrail = services.guardrail_set(
        user=director, budget=budget, horizon_h0_pct=10, horizon_h1_pct=60, horizon_h2_pct=20, horizon_h3_pct=10
    )

    assert guardrail.horizon_h1_pct == 60


def test_estimate_in_sprints_of_a_team_syncs_the_epic(vsm, value_stream):
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=120_000_00)
    epic = EpicFactory(value_stream=value_stream)

    estimate = services.epic_estimate_set(user=vsm, epic=epic, team=team, sprints=3)

    epic.refresh_from_db()
    assert (estimate.amount_cents, epic.estimated_cost_cents) == (360_000_00, 360_000_00)
    services.epic_estimate_set(user=vsm, epic=epic, amount_cents=50_00)
    epic.refresh_from_db()
    assert epic.estimated_cost_cents == 50_00
    assert (EpicEstimate.objects.get().team_id, EpicEstimate.objects.get().sprints) == (None, None)


def test_other_vsm_cannot_estimate_and_nothing_changes(other_vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, estimated_cost_cents=7_00)

    with pytest.raises(PermissionDenied):
        services.epic_estimate_set(user=other_vsm, epic=epic, amount_cents=1_00)

    epic.refresh_from_db()
    assert (epic.estimated_cost_cents, EpicEstimate.objects.count()) == (7_00, 0)


def test_vsm_records_spend_for_own_stream_only(vsm, value_stream, other_value_stream):
    spend = services.spend_record(
        user=vsm, value_stream=value_stream, month=dt.date(2026, 7, 15), amount_cents=10_00, note="=HYPERLINK(1)"
    )

    with pytest.raises(PermissionDenied):
        services.spend_record(user=vsm, value_stream=other_value_stream, month=dt.date(2026, 7, 1), amount_cents=1)
    assert (spend.month, spend.note) == (dt.date(2026, 7, 1), "'=HYPERLINK(1)")
    assert Spend.objects.count() == 1


def test_void_keeps_the_row(vsm, value_stream):
    spend = SpendFactory(value_stream=value_stream)

    services.spend_void(user=vsm, spend=spend)

    spend.refresh_from_db()
    assert spend.voided_by_id == vsm.id
    with pytest.raises(services.FundingConflict):
        services.spend_void(user=vsm, spend=spend)


def test_scenario_copies_edits_and_commits(director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=600_00)
    scenario = services.scenario_create(user=director, budget=budget, name="Shift to onboarding")

    services.scenario_line_set(user=director, scenario=scenario, value_stream=value_stream, amount_cents=200_00)
    services.scenario_line_set(user=director, scenario=scenario, value_stream=other_value_stream, amount_cents=500_00)
    services.budget_approve(user=director, budget=budget)
    services.scenario_commit(user=director, scenario=scenario, reason="Q3 replan")

    amounts = dict(Allocation.objects.values_list("value_stream_id", "amount_cents"))
    assert amounts == {value_stream.id: 200_00, other_value_stream.id: 500_00}
    assert BudgetRevision.objects.get().reason == "Q3 replan"
    scenario.refresh_from_db()
    assert scenario.committed_by_id == director.id
    with pytest.raises(services.FundingConflict):
        services.scenario_commit(user=director, scenario=scenario)


def test_scenario_over_the_total_cannot_be_committed(director, budget, value_stream):
    scenario = services.scenario_create(user=director, budget=budget, name="Too much")
    services.scenario_line_set(user=director, scenario=scenario, value_stream=value_stream, amount_cents=1_000_01)

    with pytest.raises(ValidationError) as exc:
        services.scenario_commit(user=director, scenario=scenario)

    assert "0.01 too much" in exc.value.message_dict["amount"][0]
    assert Allocation.objects.count() == 0


def test_vsm_cannot_create_scenarios_or_budgets(vsm, budget):
    with pytest.raises(PermissionDenied):
        services.scenario_create(user=vsm, budget=budget, name="Mine")
    with pytest.raises(PermissionDenied):
        services.budget_create(user=vsm, quarter=QuarterFactory(code="2027-Q1"), total_cents=1)

    assert budget.scenarios.count() == 0
    assert QuarterBudget.objects.count() == 1


def test_team_data_by_its_stream_manager(vsm, other_vsm, value_stream):
    team = services.team_create(user=vsm, value_stream=value_stream, name="Rocket", cost_per_sprint_cents=50_000_00)

    with pytest.raises(PermissionDenied):
        services.team_update(user=other_vsm, team=team, cost_per_sprint_cents=1)
    services.team_update(user=vsm, team=team, sprint_length_days=10)

    team.refresh_from_db()
    assert (team.cost_per_sprint_cents, team.sprint_length_days) == (50_000_00, 10)


def test_vsm_cannot_move_a_team_to_a_stream_they_do_not_manage(vsm, value_stream, other_value_stream):
    team = TeamFactory(value_stream=value_stream)

    with pytest.raises(PermissionDenied):
        services.team_update(user=vsm, team=team, value_stream=other_value_stream)

    team.refresh_from_db()
    assert team.value_stream_id == value_stream.id


def test_closed_stream_unused(director):
    # A value stream without allocation still gets a zero line in a new scenario.
    budget = QuarterBudgetFactory()
    vs = ValueStreamFactory()
    scenario = services.scenario_create(user=director, budget=budget, name="Zero")

    assert list(scenario.lines.values_list("value_stream_id", "amount_cents")) == [(vs.id, 0)]
