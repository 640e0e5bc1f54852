"""Reads of the office that ask for someone's attention (used by the notifications app):
overdue action items, rollups that failed to run or went stale. Each one query."""

import datetime as dt

from django.db.models import F, Max, Q, QuerySet

from portfolio.models import RollupDue, ValueStream
from vmo.models import ActionItem
from vmo.selectors.backlog import OPEN_STATUSES
from vmo.selectors.snapshots import OUTBOX_DELAY_WARNING


def action_items_overdue(*, today: dt.date) -> QuerySet:
    """Open or in-progress action items with an owner whose due day has passed."""
    return (
        ActionItem.objects.filter(due__lt=today, status__in=OPEN_STATUSES, owner__isnull=False)
        .order_by("id")
        .values("id", "title", "due", "owner_id")
    )


def rollups_delayed(*, now: dt.datetime) -> QuerySet:
    """Value streams whose due rollup has waited past the warning delay: the drain failed or
    nothing runs it (broker or worker down)."""
    return (
        RollupDue.objects.filter(due_since__lt=now - OUTBOX_DELAY_WARNING)
        .order_by("value_stream_id")
        .values("value_stream_id", "due_since", name=F("value_stream__name"))
    )


def rollups_stale(*, now: dt.datetime, max_age: dt.timedelta) -> QuerySet:
    """Active value streams whose newest snapshot was computed before `now - max_age` (the
    nightly rollup did not run), or that have none though they exist since before then."""
    cutoff = now - max_age
    return (
        ValueStream.objects.active()
        .annotate(last_computed=Max("snapshots__computed_at"))
        .filter(Q(last_computed__lt=cutoff) | Q(last_computed__isnull=True, created_at__lt=cutoff))
        .order_by("id")
        .values("id", "name", "slug", "last_computed")
    )
