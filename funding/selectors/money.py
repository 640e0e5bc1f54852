"""Each value stream's money in a quarter (allocated, spent to date, forecast) and the quarter's calendar.

`value_stream_money` is the one home of these figures: the funding page and vmo's rollups and
pages read it (vmo imports it from `funding.selectors`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, Exists, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from funding.models import Allocation, Spend
from portfolio.models import Quarter, ValueStream


@dataclass(frozen=True)
class MoneyFigures:
    """A value stream's money in a quarter, in cents, and the months of it with booked spend."""

    allocated_cents: int
    spent_cents: int
    forecast_cents: int
    booked_months: tuple[dt.date, ...] = ()

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


def months_elapsed(quarter: Quarter, as_of: dt.date) -> int:
    """How many of the quarter's months have started by `as_of` (0 before it starts)."""
    return sum(1 for month in quarter_months(quarter) if month <= as_of)


def _sum_subquery(queryset, field: str):
    # Cast: PostgreSQL's SUM of a bigint is numeric, which would make the forecast's integer
    # division (rounding half up) a decimal one.
    return Cast(
        Coalesce(
            Subquery(
                queryset.order_by()
                .values(queryset.model._meta.get_field("value_stream").attname)
                .annotate(total=Sum(field))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        BigIntegerField(),
    )


def value_stream_money(*, quarter: Quarter, as_of: dt.date) -> dict[int, MoneyFigures]:
    """Allocated, spent to date and forecast at quarter end for every value stream, one query.

    Allocation and spend are summed in separate subqueries: joining both tables first would
    multiply rows and corrupt the sums (the fan-out trap).

    Forecast = spent to date + average spend of the months with booked spend x the quarter's
    months without booked spend, rounded half up to the cent. Months are counted by whether
    spend is booked, not by the calendar: on the 1st of a month, before its spend arrives, the
    forecast is what it was the day before (dividing by months started made it drop by a third
    overnight). A quarter with nothing booked forecasts its spend so far (0): there is no rate.
    Spend "to date" is of the quarter's months up to `as_of` (a quarter read after its end does
    not take the next quarter's months).
    """
    months = [month for month in quarter_months(quarter) if month <= as_of]
    until = min(as_of, quarter.end)
    booked_spend = Spend.objects.filter(value_stream=OuterRef("pk"), voided_at__isnull=True)
    allocated = _sum_subquery(
        Allocation.objects.filter(budget__quarter=quarter, value_stream=OuterRef("pk")), "amount_cents"
    )
    spent = _sum_subquery(booked_spend.filter(month__gte=quarter.start, month__lte=until), "amount_cents")
    # One EXISTS per month of the quarter (three), in the same query: which months are booked.
    flags = {f"booked_{i}": Exists(booked_spend.filter(month=month)) for i, month in enumerate(months)}
    rows = ValueStream.objects.annotate(allocated_cents=allocated, spent_cents=spent, **flags)
    total_months = len(quarter_months(quarter))
    if flags:
        booked = sum(
            (Case(When(**{name: True}, then=Value(1)), default=Value(0)) for name in flags),
            start=Value(0),
        )
        rows = rows.annotate(booked_count=booked).annotate(
            forecast_cents=Case(
                When(booked_count=0, then=F("spent_cents")),
                # Integer division of non-negative numbers: (2a + b) // 2b is a / b rounded half up.
                default=F("spent_cents")
                + (F("spent_cents") * 2 * (total_months - F("booked_count")) + F("booked_count"))
                / (F("booked_count") * 2),
                output_field=BigIntegerField(),
            )
        )
    else:
        rows = rows.annotate(forecast_cents=F("spent_cents"))
    result = {}
    for vs_id, a, s, f, *booked_flags in rows.values_list(
        "id", "allocated_cents", "spent_cents", "forecast_cents", *flags
    ):
        result[vs_id] = MoneyFigures(
            allocated_cents=a,
            spent_cents=s,
            forecast_cents=f,
            booked_months=tuple(month for month, flag in zip(months, booked_flags, strict=True) if flag),
        )
    return result


def quarter_days(quarter: Quarter) -> int:
    return (quarter.end - quarter.start).days + 1
