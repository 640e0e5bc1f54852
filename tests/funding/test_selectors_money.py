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


def test_money_selector_is_two_grouped_queries_whatever_the_streams(django_assert_num_queries):
    # given: five streams, each with an allocation and spend in two months
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_000)
    streams = ValueStreamFactory.create_batch(5)
    for stream in streams:
        AllocationFactory(budget=budget, value_stream=stream, amount_cents=100_000)
        SpendFactory(value_stream=stream, month=dt.date(2026, 7, 1), amount_cents=10_000)
        SpendFactory(value_stream=stream, month=dt.date(2026, 8, 1), amount_cents=20_000)

    # when / then: the allocations summed, the spend summed per stream and month
    with django_assert_num_queries(2):
        figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 15))
    assert {figures[s.id].forecast_cents for s in streams} == {45_000}
    assert {figures[s.id].booked_months for s in streams} == {(dt.date(2026, 7, 1), dt.date(2026, 8, 1))}


def test_money_of_some_streams_reads_only_theirs():
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    mine, other = ValueStreamFactory.create_batch(2)
    SpendFactory(value_stream=mine, month=dt.date(2026, 7, 1), amount_cents=10_000)
    SpendFactory(value_stream=other, month=dt.date(2026, 7, 1), amount_cents=99_000)

    figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 7, 15), value_stream_ids=[mine.id])

    assert set(figures) == {mine.id}
    assert figures[mine.id].spent_cents == 10_000


def test_forecast_does_not_move_on_the_first_of_a_month_before_its_spend_is_booked(quarter, value_stream):
    # given: July booked 100,000.00 and August 130,000.01; September not booked yet
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=100_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=130_000_01)

    # when: the last day of August and the first of September
    before = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 31))[value_stream.id]
    after = value_stream_money(quarter=quarter, as_of=dt.date(2026, 9, 1))[value_stream.id]

    # then: 230,000.01 + 115,000.005 (average of 2 booked months) x 1 = 345,000.015 -> 345,000.02
    # on both days (dividing by months started gave 230,000.01 on 1 September: the overrun vanished)
    assert (before.spent_cents, before.forecast_cents) == (230_000_01, 345_000_02)
    assert (after.spent_cents, after.forecast_cents) == (230_000_01, 345_000_02)
    assert after.booked_months == (dt.date(2026, 7, 1), dt.date(2026, 8, 1))
    assert after.run_rate_cents == 115_000_01

    # when: September's spend arrives
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 9, 1), amount_cents=90_000_00)
    booked = value_stream_money(quarter=quarter, as_of=dt.date(2026, 9, 1))[value_stream.id]

    # then: every month booked, the forecast is what was spent
    assert (booked.spent_cents, booked.forecast_cents) == (320_000_01, 320_000_01)


def test_forecast_counts_only_booked_months_not_the_calendar(quarter, value_stream):
    # given: only August booked (July's invoices are late), seen on 20 August
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=50_000_00)

    figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 20))[value_stream.id]

    # then: 50,000 + 50,000 x 2 months without spend (July, September) = 150,000
    assert (figures.spent_cents, figures.forecast_cents) == (50_000_00, 150_000_00)
    assert figures.booked_months == (dt.date(2026, 8, 1),)


def test_empty_quarter_forecasts_nothing(quarter, value_stream):
    # given: no spend at all, halfway through the quarter
    figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 15))[value_stream.id]

    assert (figures.spent_cents, figures.forecast_cents, figures.run_rate_cents) == (0, 0, 0)
    assert figures.booked_months == ()


def test_quarter_closed_late_forecasts_its_unbooked_month_and_ignores_the_next_quarter(quarter, value_stream):
    # given: Q3 read on 5 October: July 120,000, August 90,000.01, September not booked yet;
    # October spend belongs to Q4 and must not count
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=120_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=90_000_01)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 10, 1), amount_cents=999_999_00)

    late = value_stream_money(quarter=quarter, as_of=dt.date(2026, 10, 5))[value_stream.id]

    # then: 210,000.01 + 105,000.005 x 1 = 315,000.015 -> 315,000.02
    assert (late.spent_cents, late.forecast_cents) == (210_000_01, 315_000_02)

    # when: September is booked on 5 October, the quarter's figures are final
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 9, 1), amount_cents=80_000_00)
    closed = value_stream_money(quarter=quarter, as_of=dt.date(2026, 10, 5))[value_stream.id]

    assert (closed.spent_cents, closed.forecast_cents) == (290_000_01, 290_000_01)
    assert closed.booked_months == (dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1))


def test_voided_spend_does_not_make_a_month_booked(quarter, value_stream):
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=60_000_00)
    SpendFactory(
        value_stream=value_stream,
        month=dt.date(2026, 8, 1),
        amount_cents=10_00,
        voided_at=dt.datetime(2026, 8, 3, tzinfo=dt.UTC),
    )

    figures = value_stream_money(quarter=quarter, as_of=dt.date(2026, 8, 20))[value_stream.id]

    # then: only July is booked: 60,000 + 60,000 x 2 = 180,000
    assert (figures.spent_cents, figures.forecast_cents) == (60_000_00, 180_000_00)
    assert figures.booked_months == (dt.date(2026, 7, 1),)
