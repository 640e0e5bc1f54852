import datetime as dt

import pytest

from funding.selectors import value_stream_money
from tests.factories import AllocationFactory, QuarterBudgetFactory, QuarterFactory, SpendFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_money_per_value_stream_sums_allocation_and_spend_apart():
    # given: a quarter with two months started, and a stream with one allocation and three
    # spend rows (the fan-out trap: a join of both tables would count the allocation 3 times)
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_000)
    payments, empty = ValueStreamFactory(), ValueStreamFactory()
    AllocationFactory(budget=budget, value_stream=payments, amount_cents=900_000)
    SpendFactory(value_stream=payments, month=dt.date(2026, 7, 1), amount_cents=200_000)
    SpendFactory(value_stream=payments, month=dt.date(2026, 8, 1), amount_cents=100_001)
    SpendFactory(
        value_stream=payments,
        month=dt.date(2026, 8, 1),
        amount_cents=50_000,
        voided_at=dt.datetime(2026, 8, 2, tzinfo=dt.UTC),
    )
    SpendFactory(value_stream=payments, month=dt.date(2026, 6, 1), amount_cents=77_777)  # last quarter

    # when
    figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 15))

    # then: spent 300,001 over 2 of 3 months -> forecast 450,001.5 rounded half up
    assert figures[payments.id].allocated_cents == 900_000
    assert figures[payments.id].spent_cents == 300_001
    assert figures[payments.id].forecast_cents == 450_002
    assert figures[payments.id].variance_cents == 449_998
    assert (figures[empty.id].allocated_cents, figures[empty.id].spent_cents, figures[empty.id].forecast_cents) == (
        0,
        0,
        0,
    )


def test_money_selector_is_one_query(django_assert_num_queries):
    quarter = QuarterFactory()
    ValueStreamFactory.create_batch(5)

    with django_assert_num_queries(1):
        value_stream_money(quarter=quarter, as_of=quarter.start)
