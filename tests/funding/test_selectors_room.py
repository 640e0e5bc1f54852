"""What the Kanban asks funding: approval threshold, funding room, and the recorded override."""

import pytest
from django.core.exceptions import PermissionDenied

from funding.models import FundingOverride
from funding.selectors import approval_threshold_cents, funding_room
from funding.services import funding_override_record
from tests.factories import AllocationFactory, EpicFactory, GuardrailFactory, QuarterBudgetFactory, QuarterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocated(quarter, value_stream):
    budget = QuarterBudgetFactory(quarter=quarter)
    return AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=1_000_00)


def test_threshold_comes_from_the_target_quarters_guardrail(quarter, value_stream):
    GuardrailFactory(budget=QuarterBudgetFactory(quarter=quarter), approval_threshold_cents=500_000_00)
    epic = EpicFactory(value_stream=value_stream, target_quarter=quarter)
    no_budget = EpicFactory(value_stream=value_stream, target_quarter=QuarterFactory(code="2027-Q1"))

    assert approval_threshold_cents(epic=epic) == 500_000_00
    assert approval_threshold_cents(epic=no_budget) is None


def test_room_is_allocation_minus_implementing_estimates(quarter, value_stream, allocated):
    EpicFactory(value_stream=value_stream, target_quarter=quarter, state="implementing", estimated_cost_cents=600_00)
    EpicFactory(value_stream=value_stream, target_quarter=quarter, state="backlog", estimated_cost_cents=900_00)
    fits = EpicFactory(value_stream=value_stream, target_quarter=quarter, state="backlog", estimated_cost_cents=400_00)
    too_big = EpicFactory(
        key="EP-BIG", value_stream=value_stream, target_quarter=quarter, state="backlog", estimated_cost_cents=400_01
    )

    assert funding_room(epic=fits).allowed is True
    check = funding_room(epic=too_big)
    assert check.allowed is False
    assert check.message == (
        "Not enough funding room in 2026-Q3: EP-BIG is estimated at 400.01 but only 400.00 of the value "
        "stream's allocation of 1,000.00 is not yet committed to implementing epics."
    )


def test_epic_without_target_quarter_is_funded_from_the_current_quarter(value_stream, monkeypatch):
    current = QuarterFactory(code="2026-Q4")
    AllocationFactory(budget=QuarterBudgetFactory(quarter=current), value_stream=value_stream, amount_cents=100_00)
    monkeypatch.setattr("funding.selectors.room.quarter_current", lambda: current)
    epic = EpicFactory(value_stream=value_stream, state="backlog", estimated_cost_cents=100_00)
    EpicFactory(value_stream=value_stream, state="implementing", estimated_cost_cents=1)

    assert funding_room(epic=epic).allowed is False


def test_epic_without_estimate_has_no_room(quarter, value_stream, allocated):
    epic = EpicFactory(key="EP-X", value_stream=value_stream, target_quarter=quarter)

    check = funding_room(epic=epic)

    assert (check.allowed, check.message) == (False, "EP-X has no cost estimate; add one under Funding.")


def test_override_is_recorded_for_directors_only(quarter, value_stream, director, vsm):
    epic = EpicFactory(value_stream=value_stream, target_quarter=quarter)

    funding_override_record(epic=epic, user=director, reason="Regulatory deadline")
    with pytest.raises(PermissionDenied):
        funding_override_record(epic=epic, user=vsm, reason="Mine")

    override = FundingOverride.objects.get()
    assert (override.epic_id, override.quarter_id, override.created_by_id, override.reason) == (
        epic.id,
        quarter.id,
        director.id,
        "Regulatory deadline",
    )
