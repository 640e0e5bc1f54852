import datetime as dt

import pytest
from django.contrib.auth.models import Group

from tests.factories import AllocationFactory, GuardrailFactory, QuarterBudgetFactory, QuarterFactory
from tests.kanban.db_helpers import restore_role_groups


@pytest.fixture
def funding_quarter(value_stream):
    """The quarter that funds the test epics (their target), with a real budget: an approval
    threshold of 1,000,000.00 and an allocation to `value_stream` that one ready epic
    (500,000.00) fits into when `room` is given, else none at all."""
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    budget = QuarterBudgetFactory(quarter=quarter)
    GuardrailFactory(budget=budget, approval_threshold_cents=1_000_000_00)
    return quarter


@pytest.fixture
def funding_room_for_one(funding_quarter, value_stream):
    AllocationFactory(budget=funding_quarter.budget, value_stream=value_stream, amount_cents=500_000_00)
    return funding_quarter


@pytest.fixture(scope="session", autouse=True)
def _role_groups_exist(django_db_setup, django_db_blocker):
    """`--reuse-db` keeps a database whose groups an interrupted transactional run flushed."""
    with django_db_blocker.unblock():
        if not Group.objects.exists():
            restore_role_groups()
