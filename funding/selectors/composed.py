"""Reads of allocations and spend that the office's pages, plans and reports compose (vmo never
queries funding's tables itself): one query each."""

import datetime as dt

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import Allocation, Spend
from portfolio.models import Quarter


def allocations_of_quarter(*, quarter: Quarter) -> list[dict]:
    """The quarter's allocations by value stream name: value_stream_id, name, slug, amount_cents, note."""
    return list(
        Allocation.objects.filter(budget__quarter=quarter)
        .order_by("value_stream__name")
        .values("value_stream_id", "amount_cents", "note", name=F("value_stream__name"), slug=F("value_stream__slug"))
    )


def allocation_changes(*, quarter: Quarter, since: dt.datetime) -> list[dict]:
    """The quarter's allocations whose amount differs from what it was at `since` (or that did
    not exist then), from the history table: value_stream_id, name, slug, then_cents, now_cents."""
    then = Subquery(
        Allocation.history.filter(id=OuterRef("id"), history_date__lte=since)
        .order_by("-history_date", "-history_id")
        .values("amount_cents")[:1],
        output_field=IntegerField(),
    )
    return list(
        Allocation.objects.filter(budget__quarter=quarter)
        .annotate(then_cents=then)
        .filter(Q(then_cents__isnull=True) | ~Q(then_cents=F("amount_cents")))
        .order_by("value_stream__name")
        .values("then_cents", "value_stream_id", now_cents=F("amount_cents"), name=F("value_stream__name"))
        .annotate(slug=F("value_stream__slug"))
    )


def allocation_amount(*, quarter_id, value_stream_ref: str):
    """A value stream's allocation in a quarter as a subquery expression (0 without one), for
    callers that annotate rows of their own tables with it."""
    return Coalesce(
        Subquery(
            Allocation.objects.filter(budget__quarter_id=quarter_id, value_stream_id=OuterRef(value_stream_ref)).values(
                "amount_cents"
            )[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def spend_by_month(*, value_stream_id: int, quarter: Quarter) -> dict[dt.date, int]:
    """Booked (not voided) spend of a value stream per month of the quarter, in cents."""
    return dict(
        Spend.objects.filter(
            value_stream_id=value_stream_id, voided_at__isnull=True, month__gte=quarter.start, month__lte=quarter.end
        )
        .order_by()
        .values("month")
        .annotate(total=Sum("amount_cents"))
        .values_list("month", "total")
    )


def spend_by_value_stream(*, start: dt.date, end: dt.date, value_stream=None) -> tuple[list[dict], int]:
    """Booked spend of months in [start, end) per value stream (name, slug, amount_cents) and its total."""
    spend = Spend.objects.filter(month__gte=start, month__lt=end, voided_at__isnull=True)
    if value_stream is not None:
        spend = spend.filter(value_stream=value_stream)
    rows = list(
        spend.order_by("value_stream__name")
        .values("value_stream__name", "value_stream__slug")
        .annotate(amount_cents=Sum("amount_cents"))
    )
    return rows, spend.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]


def spend_rows(*, quarter: Quarter) -> QuerySet[Spend]:
    """The quarter's booked spend rows with their stream and epic, in month order (exports)."""
    return (
        Spend.objects.filter(month__gte=quarter.start, month__lte=quarter.end, voided_at__isnull=True)
        .select_related("value_stream", "epic")
        .order_by("month", "value_stream__name", "id")
    )
