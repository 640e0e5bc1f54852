"""Writes for the VMO backlog: action items."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portfolio.permissions import can_manage_value_stream
from vmo.models import ActionItem, ActionItemStatus, BacklogHorizon, Priority
from vmo.permissions import can_keep_vmo_backlog

CLOSED_STATUSES = (ActionItemStatus.DONE, ActionItemStatus.DROPPED)
ACTION_ITEM_FIELDS = (
    "title",
    "description",
    "owner",
    "due",
    "status",
    "priority",
    "rank",
    "value_stream",
    "horizon",
    "map_stage",
)
IMPROVEMENT_DENIED = "Backlog keepers and the value stream's managers raise improvement items of its map."


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
    horizon: str = BacklogHorizon.SHORT_TERM,
    workshop=None,
    map_stage=None,
) -> ActionItem:
    """Add an item at the end of the backlog (or at `rank`), short-term (this month) unless
    `horizon` says long-term; `workshop` names the problem-solving workshop it improves on; an
    improvement item of a value stream map names the stage it improves and belongs to that
    stage's stream."""
    if workshop is not None and source_event is not None and workshop.event_id != source_event.pk:
        raise ValidationError({"workshop": "The workshop belongs to another event."})
    if workshop is not None:
        source_event = workshop.event
    if map_stage is not None and value_stream is None:
        value_stream = map_stage.map.value_stream
    if rank is None:
        rank = (ActionItem.objects.aggregate(top=Max("rank"))["top"] or 0) + 1
    item = ActionItem(
        title=title,
        description=description,
        owner=owner,
        due=due,
        priority=priority,
        value_stream=value_stream,
        map_stage=map_stage,
        source_event=source_event,
        rank=rank,
        status=status,
        horizon=horizon,
        workshop=workshop,
        created_by=created_by,
        closed_at=timezone.now() if status in CLOSED_STATUSES else None,
    )
    _check_stage_stream(item)
    item.full_clean()
    item.save()
    return item


def _check_stage_stream(item: ActionItem) -> None:
    if item.map_stage_id is not None and item.map_stage.map.value_stream_id != item.value_stream_id:
        raise ValidationError({"map_stage": "The stage belongs to another value stream's map."})


@transaction.atomic
def improvement_item_create(*, user, map_stage, title: str, **fields) -> ActionItem:
    """An improvement item of a value stream map: a VMO backlog item naming the stage it
    improves. Raised by backlog keepers and by the stream's managers (they own the map)."""
    if not (can_keep_vmo_backlog(user) or can_manage_value_stream(user, map_stage.map.value_stream_id)):
        raise PermissionDenied(IMPROVEMENT_DENIED)
    return action_item_create(
        title=title, created_by=user, map_stage=map_stage, value_stream=map_stage.map.value_stream, **fields
    )


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
    _check_stage_stream(item)
    item.full_clean()
    item.save()
    return item


def action_item_set_status(*, item: ActionItem, status: str) -> ActionItem:
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ActionItemStatus.values)}."})
    return action_item_update(item=item, status=status)


@transaction.atomic
def action_item_move(*, item: ActionItem, direction: str) -> ActionItem:
    """Move an item one place up or down its horizon's backlog by swapping ranks with its
    neighbour in the same horizon (the page shows the two horizons as two lists).

    Both rows are locked (in id order, so two moves at once cannot deadlock) before swapping.
    At the top or bottom it stays where it is.
    """
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move 'up' or 'down'."})
    item = ActionItem.objects.get(pk=item.pk)
    same = ActionItem.objects.filter(horizon=item.horizon)
    if direction == "up":
        neighbour = same.filter(rank__lt=item.rank).order_by("-rank", "-id").first()
    else:
        neighbour = same.filter(rank__gt=item.rank).order_by("rank", "id").first()
    if neighbour is None:
        return item
    locked = {
        row.pk: row
        for row in ActionItem.objects.select_for_update().filter(pk__in=[item.pk, neighbour.pk]).order_by("id")
    }
    item, neighbour = locked[item.pk], locked[neighbour.pk]
    item.rank, neighbour.rank = neighbour.rank, item.rank
    ActionItem.objects.bulk_update([item, neighbour], ["rank"])
    return item
