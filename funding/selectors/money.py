"""Each value stream's money in a quarter (allocated, spent to date, forecast) and the quarter's calendar.

`value_stream_money` is the one home of these figures: the funding page and vmo's rollups and
pages read it (vmo imports it from `funding.selectors`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import Allocation, Spend
from portfolio.models import Quarter, ValueStream


@dataclass(frozen=True)
class MoneyFigures:
    """A value stream's money in a quarter, in cents."""

    allocated_cents: int
    spent_cents: int
    forecast_cents: int

    @property
    def variance_cents(self) -> int:
        """Allocated minus forecast: positive is money left at quarter end, negative an overrun."""
        return self.allocated_cents - self.forecast_cents


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
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values(queryset.model._meta.get_field("value_stream").attname)
            .annotate(total=Sum(field))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def value_stream_money(*, quarter: Quarter, as_of: dt.date) -> dict[int, MoneyFigures]:
    """Allocated, spent to date and forecast at quarter end for every value stream, one query.

    Allocation and spend are summed in separate subqueries: joining both tables first would
    multiply rows and corrupt the sums (the fan-out trap). The forecast extrapolates the run
    rate of the months started so far over the whole quarter (rounded half up to the cent).
    """
    elapsed = months_elapsed(quarter, as_of)
    months = len(quarter_months(quarter))
    allocated = _sum_subquery(
        Allocation.objects.filter(budget__quarter=quarter, value_stream=OuterRef("pk")), "amount_cents"
    )
    spent = _sum_subquery(
        Spend.objects.filter(
            value_stream=OuterRef("pk"), voided_at__isnull=True, month__gte=quarter.start, month__lte=as_of
        ),
        "amount_cents",
    )
    rows = ValueStream.objects.annotate(allocated_cents=allocated, spent_cents=spent)
    if elapsed:
        rows = rows.annotate(forecast_cents=(F("spent_cents") * (2 * months) + elapsed) / (2 * elapsed))
    else:
        rows = rows.annotate(forecast_cents=F("spent_cents"))
    return {
        vs_id: MoneyFigures(allocated_cents=a, spent_cents=s, forecast_cents=f)
        for vs_id, a, s, f in rows.values_list("id", "allocated_cents", "spent_cents", "forecast_cents")
    }


def quarter_days(quarter: Quarter) -> int:
    return (quarter.end - quarter.start).days + 1
