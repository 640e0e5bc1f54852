"""Writes for the VMO backlog: action items."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vmo.models import ActionItem, ActionItemStatus, Priority

CLOSED_STATUSES = (ActionItemStatus.DONE, ActionItemStatus.DROPPED)
ACTION_ITEM_FIELDS = ("title", "description", "owner", "due", "status", "priority", "rank", "value_stream")


@transaction.atomic
def action_item_create(
    *,
    title: str,
    created_by=None,
    description: str = "",
    owner=None,
    due: dt.date | None = None,
    priority: int = Priority.MEDIUM,
    value_stream=None,
    source_event=None,
    rank: int | None = None,
    status: str = ActionItemStatus.OPEN,
) -> ActionItem:
    """Add an item at the end of the backlog (or at `rank`)."""
    if rank is None:
        rank = (ActionItem.objects.aggregate(top=Max("rank"))["top"] or 0) + 1
    item = ActionItem(
        title=title,
        description=description,
        owner=owner,
        due=due,
        priority=priority,
        value_stream=value_stream,
        source_event=source_event,
        rank=rank,
        status=status,
        created_by=created_by,
        closed_at=timezone.now() if status in CLOSED_STATUSES else None,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, **fields) -> ActionItem:
    """Change an action item; moving to done/dropped stamps `closed_at`, reopening clears it."""
    for name, value in fields.items():
        if name not in ACTION_ITEM_FIELDS:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(item, name, value)
    if item.status in CLOSED_STATUSES and item.closed_at is None:
        item.closed_at = timezone.now()
    elif item.status not in CLOSED_STATUSES:
        item.closed_at = None
    item.full_clean()
    item.save()
    return item


def action_item_set_status(*, item: ActionItem, status: str) -> ActionItem:
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ActionItemStatus.values)}."})
    return action_item_update(item=item, status=status)
