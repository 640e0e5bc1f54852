"""Reads of rollup snapshots: the latest per value stream, daily trends, and outbox health."""

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from portfolio.models import Quarter, RollupDue
from vmo.models import ValueStreamSnapshot

# The drain runs every minute; rows older than this mean the broker or the worker is not doing it.
OUTBOX_DELAY_WARNING = dt.timedelta(minutes=5)


def snapshot_latest(*, quarter: Quarter | None = None) -> QuerySet[ValueStreamSnapshot]:
    """The latest snapshot of each value stream (in `quarter` when given), one query."""
    newest = ValueStreamSnapshot.objects.filter(value_stream=OuterRef("value_stream"))
    if quarter is not None:
        newest = newest.filter(quarter=quarter)
    newest = newest.order_by("-as_of", "-quarter__start", "-id").values("id")[:1]
    return (
        ValueStreamSnapshot.objects.select_related("quarter", "value_stream")
        .filter(id=Subquery(newest))
        .order_by("value_stream__name")
    )


def snapshot_trend(*, value_stream_id: int, quarter: Quarter) -> QuerySet[ValueStreamSnapshot]:
    """Daily snapshots of one value stream in a quarter, oldest first (for trend charts)."""
    return ValueStreamSnapshot.objects.filter(value_stream_id=value_stream_id, quarter=quarter).order_by("as_of")


def outbox_delayed(*, now: dt.datetime | None = None) -> bool:
    """True when a due rollup has waited longer than a few minutes (broker or worker down)."""
    now = now or timezone.now()
    return RollupDue.objects.filter(due_since__lt=now - OUTBOX_DELAY_WARNING).exists()
