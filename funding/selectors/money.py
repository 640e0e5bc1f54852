"""Each value stream's money in a quarter (allocated, spent to date, forecast) and the quarter's calendar.

`value_stream_money` is the one home of these figures: the funding page and vmo's rollups and
pages read it (vmo imports it from `funding.selectors`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from funding.models import Allocation, Spend
from portfolio.models import Quarter


@dataclass(frozen=True)
class MoneyFigures:
    """A value stream's money in a quarter, in cents, and the months of it with booked spend.

    Forecast = spent to date + average spend of the months with booked spend x the quarter's
    months without booked spend, rounded half up to the cent. Months are counted by whether
    spend is booked, not by the calendar: on the 1st of a month, before its spend arrives, the
    forecast is what it was the day before (dividing by months started made it drop by a third
    overnight). A quarter with nothing booked forecasts its spend so far (0): there is no rate.
    """

    allocated_cents: int
    spent_cents: int
    booked_months: tuple[dt.date, ...] = ()
    months_in_quarter: int = 3

    @property
    def forecast_cents(self) -> int:
        booked = len(self.booked_months)
        if not booked:
            return self.spent_cents
        # Amounts are non-negative (check constraints), so // is the rounding half up of (2a + b) / 2b.
        unbooked = self.months_in_quarter - booked
        return self.spent_cents + (self.spent_cents * 2 * unbooked + booked) // (2 * booked)

    @property
    def variance_cents(self) -> int:
        """Allocated minus forecast: positive is money left at quarter end, negative an overrun."""
        return self.allocated_cents - self.forecast_cents

    @property
    def run_rate_cents(self) -> int:
        """Average spend of the months with booked spend (rounded half up); 0 before any is booked."""
        booked = len(self.booked_months)
        return (self.spent_cents * 2 + booked) // (2 * booked) if booked else 0

    @property
    def has_forecast(self) -> bool:
        return forecast_known(self.booked_months)


def forecast_known(booked_months) -> bool:
    """A forecast (and its run rate and variance) needs a rate: at least one month of the quarter
    with booked spend. Before that the figures are 0 by arithmetic, which pages show as no data:
    a quarter's first month, before its spend is booked, is not a quarter under budget."""
    return bool(booked_months)


def quarter_months(quarter: Quarter) -> list[dt.date]:
    """First days of the months a quarter covers."""
    months, day = [], quarter.start.replace(day=1)
    while day <= quarter.end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


class MoneyByStream(dict):
    """Value stream id -> MoneyFigures; a stream with neither allocation nor spend reads zeros."""

    def __init__(self, *args, months_in_quarter: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.months_in_quarter = months_in_quarter

    def __missing__(self, value_stream_id: int) -> MoneyFigures:
        return MoneyFigures(0, 0, months_in_quarter=self.months_in_quarter)


def value_stream_money(*, quarter: Quarter, as_of: dt.date, value_stream_ids=None) -> MoneyByStream:
    """Allocated, spent to date and forecast at quarter end per value stream (those with an
    allocation or spend in the quarter; any other reads zeros), in two grouped queries.

    Allocation and spend are summed in separate queries: joining both tables first would
    multiply rows and corrupt the sums (the fan-out trap). Spend is summed per stream and month
    by the database; a month with a (not void) row is booked. Spend "to date" is of the
    quarter's months up to `as_of` (a quarter read after its end does not take the next
    quarter's months). The forecast is `MoneyFigures.forecast_cents`.
    """
    months = months_started(quarter, as_of)
    allocations = Allocation.objects.filter(budget__quarter=quarter)
    spend = Spend.objects.filter(voided_at__isnull=True, month__gte=quarter.start, month__lte=min(as_of, quarter.end))
    if value_stream_ids is not None:
        ids = list(value_stream_ids)
        allocations = allocations.filter(value_stream_id__in=ids)
        spend = spend.filter(value_stream_id__in=ids)
    allocated = dict(
        allocations.order_by()
        .values("value_stream_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("value_stream_id", "total")
    )
    spent: dict[int, int] = {}
    booked: dict[int, list[dt.date]] = {}
    # At most one row per stream and month of the quarter (three), summed by the database.
    for vs_id, month, total in (
        spend.order_by()
        .values("value_stream_id", "month")
        .annotate(total=Sum("amount_cents"))
        .values_list("value_stream_id", "month", "total")
    ):
        spent[vs_id] = spent.get(vs_id, 0) + int(total)
        booked.setdefault(vs_id, []).append(month.replace(day=1))
    total_months = len(quarter_months(quarter))
    return MoneyByStream(
        {
            vs_id: MoneyFigures(
                allocated_cents=int(allocated.get(vs_id) or 0),
                spent_cents=spent.get(vs_id, 0),
                booked_months=tuple(month for month in months if month in booked.get(vs_id, ())),
                months_in_quarter=total_months,
            )
            for vs_id in allocated.keys() | spent.keys()
        },
        months_in_quarter=total_months,
    )


def months_started(quarter: Quarter, as_of: dt.date) -> list[dt.date]:
    """The quarter's months begun by `as_of` (first days)."""
    return [month for month in quarter_months(quarter) if month <= as_of]


def quarter_days(quarter: Quarter) -> int:
    return (quarter.end - quarter.start).days + 1
