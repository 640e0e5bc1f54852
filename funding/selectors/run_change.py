"""Change spend vs run (keep-the-lights-on) spend per month: the run-rate trend of a product.

A continuous stream has no finish date, so its page shows what it costs to run and what it
invests in change, month by month. The classification is the spend's tag:
- **change**: booked spend tagged to an epic whose investment type is not "keep the lights on"
  (business features, enablers, tech debt);
- **run**: everything else booked: spend tagged to a KTLO epic, or to no epic at all (the
  stream's operating cost: licences, infrastructure, the team's time on no epic).
Voided spend counts nowhere. The database sums each month's two figures (one grouped query; a
spend row joins its one epic, so no fan-out).
"""

import datetime as dt

from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from funding.models import Spend
from portfolio.models import InvestmentType
from portfolio.money import chart_amount

RUN_CHANGE_MONTHS = 12

CHANGE = Q(epic__isnull=False) & ~Q(epic__investment_type=InvestmentType.KEEP_THE_LIGHTS_ON)


def _change_cents():
    """The row's amount when it is change spend, else 0."""
    return Case(When(CHANGE, then=F("amount_cents")), default=Value(0), output_field=BigIntegerField())


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def run_change_by_month(*, value_stream_id: int, as_of: dt.date, months: int = RUN_CHANGE_MONTHS) -> dict:
    """The last `months` months up to `as_of`'s month: run and change spend per month (cents
    and chart units) and the share of change over the whole period (None: nothing booked)."""
    first = _month_start(as_of, back=months - 1)
    last = _month_start(as_of)
    rows = (
        Spend.objects.filter(value_stream_id=value_stream_id, voided_at__isnull=True, month__gte=first, month__lte=last)
        .order_by()
        .values("month")
        .annotate(
            change=Coalesce(Sum(_change_cents()), 0),
            run=Coalesce(Sum(F("amount_cents") - _change_cents()), 0),
        )
        .values_list("month", "run", "change")
    )
    by_month = {month.replace(day=1): (run, change) for month, run, change in rows}
    labels, run_cents, change_cents = [], [], []
    for back in range(months - 1, -1, -1):  # the months of the chart's axis, not rows to add up
        month = _month_start(as_of, back=back)
        run, change = by_month.get(month, (0, 0))
        labels.append(month.strftime("%b %Y"))
        run_cents.append(run)
        change_cents.append(change)
    return {
        "labels": labels,
        "run_cents": run_cents,
        "change_cents": change_cents,
        # The chart's series, in currency units like every chart's.
        "run": [chart_amount(c) for c in run_cents],
        "change": [chart_amount(c) for c in change_cents],
    }


def run_change_totals(*, value_stream_id: int, as_of: dt.date, months: int = RUN_CHANGE_MONTHS) -> dict:
    """Run and change spend over the period and the change share (None when nothing booked)."""
    first = _month_start(as_of, back=months - 1)
    totals = Spend.objects.filter(
        value_stream_id=value_stream_id, voided_at__isnull=True, month__gte=first, month__lte=_month_start(as_of)
    ).aggregate(
        change=Coalesce(Sum(_change_cents()), 0),
        total=Coalesce(Sum("amount_cents"), 0),
    )
    change, total = totals["change"], totals["total"]
    return {
        "run_cents": total - change,
        "change_cents": change,
        "change_share": round(change / total, 4) if total else None,
    }
