"""Reads for the VMO backlog."""

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from vmo.models import ActionItem, ActionItemStatus

OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


def overdue_expression(today: dt.date):
    return Case(
        When(Q(due__lt=today) & Q(status__in=OPEN_STATUSES), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def action_item_list(*, today: dt.date | None = None) -> QuerySet[ActionItem]:
    """The backlog in its order (rank, priority, due, id) with `is_overdue` computed in the
    database, owners, value streams and source events joined (one query)."""
    today = today or timezone.localdate()
    return ActionItem.objects.select_related("owner", "value_stream", "source_event").annotate(
        is_overdue=overdue_expression(today)
    )


def action_item_one(*, item_id: int) -> ActionItem:
    return action_item_list().get(pk=item_id)


def improvement_items(*, value_stream_id: int) -> QuerySet[ActionItem]:
    """The VMO backlog items that improve a stage of this stream's maps, in backlog order."""
    return action_item_list().filter(map_stage__map__value_stream_id=value_stream_id).select_related("map_stage")
