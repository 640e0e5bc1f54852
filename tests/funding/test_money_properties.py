"""Property tests for amounts sent to the funding API: an exact amount or a 400, never a 500."""

import contextlib
import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding import services
from funding.models import Allocation
from tests.factories import QuarterBudgetFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db

# "-0" and "-0.00" are zero (portfolio.money accepts them as 0.00, which stores the same value).
EXACT = re.compile(r"^\s*(-0+(\.0{1,2})?|[0-9]+(\.[0-9]{1,2})?)\s*$")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.from_regex(r"-?[0-9]{1,18}(\.[0-9]{0,4})?", fullmatch=True),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    )
)
def test_any_amount_string_is_stored_exactly_or_refused(api_as, director, text):
    budget = QuarterBudgetFactory(total_cents=92233720368547_75)
    vs = ValueStreamFactory()
    body = json.dumps({"budget": budget.id, "value_stream": vs.id, "amount": text})

    response = api_as(director).generic("POST", "/api/allocations/", body, content_type="application/json")

    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert EXACT.match(text)
        assert Allocation.objects.get(value_stream=vs).amount_cents == int(Decimal(text.strip()) * 100)
    else:
        assert Allocation.objects.filter(value_stream=vs).exists() is False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=0, max_value=50_00), min_size=1, max_size=8))
def test_sequential_allocations_never_exceed_the_total(director, amounts):
    from django.core.exceptions import ValidationError

    budget = QuarterBudgetFactory(total_cents=100_00)
    streams = [ValueStreamFactory() for _ in amounts]
    for vs, amount in zip(streams, amounts, strict=True):
        with contextlib.suppress(ValidationError):
            services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=amount)
    total = sum(Allocation.objects.filter(budget=budget).values_list("amount_cents", flat=True))
    assert total <= 100_00
    # greedy in order: each amount is taken iff it fits in what was left
    left, expected = 100_00, 0
    for amount in amounts:
        if amount <= left:
            left -= amount
            expected += amount
    assert total == expected


def test_rejected_allocation_schedules_no_rollup_nudge(director, django_capture_on_commit_callbacks):
    budget = QuarterBudgetFactory(total_cents=1_00)
    vs = ValueStreamFactory()
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks() as refused, pytest.raises(ValidationError):
        services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=2_00)
    with django_capture_on_commit_callbacks() as accepted:
        services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=1_00)

    assert (len(refused), len(accepted)) == (0, 1)
