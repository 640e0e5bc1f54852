"""Writes of value stream maps and their stages: the stream's managers and directors only.

Maps are not financial: a stage may be deleted (its history stays with the work items)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from portfolio.models import MapStage, ValueStreamMap
from portfolio.permissions import can_manage_value_stream

MAP_DENIED = "Only managers of this value stream and VMO directors may change its value stream maps."
MAP_FIELDS = ("title", "notes", "window_days")
STAGE_FIELDS = (
    "position",
    "name",
    "owner",
    "tool_statuses",
    "typed_process_hours",
    "typed_wait_hours",
    "complete_accurate_pct",
)


def _check(user, value_stream_id: int) -> None:
    if not can_manage_value_stream(user, value_stream_id):
        raise PermissionDenied(MAP_DENIED)


def _clean_statuses(statuses) -> list[str]:
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise ValidationError({"tool_statuses": "A list of tool status names."})
    cleaned = []
    for status in statuses:
        name = status.strip().lower()
        if not name or len(name) > 100:
            raise ValidationError({"tool_statuses": "Each status name has 1 to 100 characters."})
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _check_statuses_free(stage: MapStage) -> None:
    """A tool status belongs to one stage of a map, so each stay is counted once."""
    taken = {
        status
        for statuses in MapStage.objects.filter(map_id=stage.map_id)
        .exclude(pk=stage.pk)
        .values_list("tool_statuses", flat=True)
        for status in statuses
    }
    clash = sorted(set(stage.tool_statuses) & taken)
    if clash:
        raise ValidationError({"tool_statuses": f"Already in another stage of this map: {', '.join(clash)}."})


@transaction.atomic
def map_create(*, user, value_stream, state: str, **values) -> ValueStreamMap:
    """Create the current- or future-state map of a stream (one of each)."""
    _check(user, value_stream.pk)
    vsm = ValueStreamMap(value_stream=value_stream, state=state, **{k: v for k, v in values.items() if k in MAP_FIELDS})
    vsm.full_clean()
    vsm.save()
    return vsm


@transaction.atomic
def map_update(*, user, vsm: ValueStreamMap, **values) -> ValueStreamMap:
    """Change a map's title, notes or window; its stream and state stay."""
    _check(user, vsm.value_stream_id)
    for name, value in values.items():
        if name in MAP_FIELDS:
            setattr(vsm, name, value)
    vsm.full_clean()
    vsm.save()
    return vsm


@transaction.atomic
def stage_create(*, user, map: ValueStreamMap, **values) -> MapStage:
    """Add a stage to a map; its tool statuses must not belong to another stage of the map.
    Without a position the stage goes last."""
    _check(user, map.value_stream_id)
    stage = MapStage(map=map, **{k: v for k, v in values.items() if k in STAGE_FIELDS})
    if stage.position is None:
        stage.position = _last_position(map.pk) + 1
    stage.tool_statuses = _clean_statuses(stage.tool_statuses)
    stage.full_clean()
    _check_statuses_free(stage)
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, user, stage: MapStage, **values) -> MapStage:
    """Change a stage (not the map it belongs to)."""
    _check(user, stage.map.value_stream_id)
    for name, value in values.items():
        if name in STAGE_FIELDS:
            setattr(stage, name, value)
    stage.tool_statuses = _clean_statuses(stage.tool_statuses)
    stage.full_clean()
    _check_statuses_free(stage)
    stage.save()
    return stage


def _last_position(map_id: int) -> int:
    return MapStage.objects.filter(map_id=map_id).aggregate(last=Max("position"))["last"] or 0


@transaction.atomic
def stage_move(*, user, stage: MapStage, up: bool) -> MapStage:
    """Swap a stage with its neighbour above (`up`) or below; at either end nothing changes."""
    _check(user, stage.map.value_stream_id)
    # Lock the map's stages in one order so two moves on one map queue instead of interleaving.
    stages = list(MapStage.objects.select_for_update().filter(map_id=stage.map_id).order_by("position", "id"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(stages):
        return stages[index]
    moving, other = stages[index], stages[other_index]
    # (map, position) is unique and checked per statement: park the stage past the end first.
    parked = stages[-1].position + 1
    MapStage.objects.filter(pk=moving.pk).update(position=parked)
    MapStage.objects.filter(pk=other.pk).update(position=moving.position)
    MapStage.objects.filter(pk=moving.pk).update(position=other.position)
    moving.position, other.position = other.position, moving.position
    return moving


@transaction.atomic
def stage_delete(*, user, stage: MapStage) -> None:
    """Remove a stage; the other stages keep their positions."""
    _check(user, stage.map.value_stream_id)
    stage.delete()
