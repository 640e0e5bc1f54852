import pytest

from tests.factories import AllocationFactory, GuardrailFactory, QuarterBudgetFactory


@pytest.fixture
def funding_quarter(quarter, value_stream):
    """The quarter that funds the test epics (their target), with a real budget and guardrail:
    an approval threshold of 1,000,000.00 and no allocation yet, so no funding room."""
    budget = QuarterBudgetFactory(quarter=quarter)
    GuardrailFactory(budget=budget, approval_threshold_cents=1_000_000_00)
    return quarter


@pytest.fixture
def funding_room_for_one(funding_quarter, value_stream):
    """The same quarter with an allocation that one ready epic (500,000.00) fits into."""
    AllocationFactory(budget=funding_quarter.budget, value_stream=value_stream, amount_cents=500_000_00)
    return funding_quarter
