"""Reads for the VMO backlog."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Min, Q, QuerySet, Value, When
from django.utils import timezone

from vmo.models import ActionItem, ActionItemStatus, BacklogHorizon

OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


def overdue_expression(today: dt.date):
    return Case(
        When(Q(due__lt=today) & Q(status__in=OPEN_STATUSES), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


# Definition of ready for a VMO backlog item: someone owns it, it has a due date, and it says
# what is to be done (a description). An item missing any of them is not ready to be worked on.
READY = Q(owner__isnull=False) & Q(due__isnull=False) & ~Q(description="")

# Ageing buckets of open items, in days open: (key, label, youngest, oldest or None).
AGE_BUCKETS = (
    ("age_week", "up to 7 days", 0, 7),
    ("age_month", "8-30 days", 8, 30),
    ("age_quarter", "31-90 days", 31, 90),
    ("age_older", "over 90 days", 91, None),
)


def ready_expression():
    return Case(When(READY, then=Value(True)), default=Value(False), output_field=BooleanField())


def action_item_list(*, today: dt.date | None = None) -> QuerySet[ActionItem]:
    """The backlog in its order (rank, priority, due, id) with `is_overdue` and `is_ready`
    computed in the database, owners, value streams and source events joined (one query)."""
    today = today or timezone.localdate()
    return ActionItem.objects.select_related("owner", "value_stream", "source_event").annotate(
        is_overdue=overdue_expression(today), is_ready=ready_expression()
    )


@dataclass
class HorizonSummary:
    """Open items of one backlog horizon: how many, how many ready, overdue, and their ageing."""

    horizon: str
    label: str
    open: int
    ready: int
    overdue: int
    ages: tuple[tuple[str, int], ...]  # (bucket label, open items in it), youngest first
    oldest_created: dt.datetime | None
    items: list = field(default_factory=list)  # the page puts the horizon's listed items here

    @property
    def not_ready(self) -> int:
        return self.open - self.ready


def _opened_on_or_after(day: dt.date) -> Q:
    """Created on `day` or later, in the installation's time zone (a datetime bound, so the
    database compares the column as stored, on SQLite and PostgreSQL alike)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return Q(created_at__gte=start)


def backlog_horizons(*, today: dt.date | None = None) -> list[HorizonSummary]:
    """Both horizons' open items, readiness and ageing, counted in the database (one query)."""
    today = today or timezone.localdate()
    aggregates = {
        "open": Count("id"),
        "ready": Count("id", filter=READY),
        "overdue": Count("id", filter=Q(due__lt=today)),
        "oldest": Min("created_at"),
    }
    for key, _label, youngest, oldest in AGE_BUCKETS:
        bucket = ~_opened_on_or_after(today - dt.timedelta(days=youngest - 1)) if youngest else Q()
        if oldest is not None:
            bucket &= _opened_on_or_after(today - dt.timedelta(days=oldest))
        aggregates[key] = Count("id", filter=bucket)
    rows = {
        r["horizon"]: r
        for r in ActionItem.objects.filter(status__in=OPEN_STATUSES).order_by().values("horizon").annotate(**aggregates)
    }
    summaries = []
    for horizon, label in BacklogHorizon.choices:
        row = rows.get(horizon, {})
        summaries.append(
            HorizonSummary(
                horizon=horizon,
                label=label,
                open=row.get("open", 0),
                ready=row.get("ready", 0),
                overdue=row.get("overdue", 0),
                ages=tuple((label, row.get(key, 0)) for key, label, _y, _o in AGE_BUCKETS),
                oldest_created=row.get("oldest"),
            )
        )
    return summaries


def action_item_one(*, item_id: int) -> ActionItem:
    return action_item_list().get(pk=item_id)


def improvement_items(*, value_stream_id: int) -> QuerySet[ActionItem]:
    """The VMO backlog items that improve a stage of this stream's maps, in backlog order."""
    return action_item_list().filter(map_stage__map__value_stream_id=value_stream_id).select_related("map_stage")
