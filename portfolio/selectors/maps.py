"""Reads of value stream maps: stage times from work items' status history, and the map's
figures (lead time, flow efficiency, rolled %C&A, bottleneck, dominant waste per stage).

Definitions: `portfolio/metrics.py`, key "value_stream_map". The stays are aggregated in the
database (one query per map); Python only combines the dozen stage rows that come back.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When, Window
from django.db.models.functions import Lead, Lower
from django.utils import timezone

from portfolio.models import MapStage, MapState, ValueStreamMap, WorkItemStatus, WorkItemStatusChange

HOUR = 3600.0
WASTES = ("waiting", "rework", "handoffs")


@dataclass(frozen=True)
class StageHistory:
    """What the status history says about one stage: work items that stayed in it, their stays
    (one per status entered), and the seconds in all its statuses and in its active ones."""

    items: int
    stays: int
    lead_seconds: float
    process_seconds: float


@dataclass
class StageFigures:
    stage: MapStage
    source: str | None  # "history", "typed" or None (no data)
    items: int = 0
    process_hours: float | None = None
    wait_hours: float | None = None
    lead_hours: float | None = None
    handoffs_per_item: float | None = None
    complete_accurate: float | None = None  # 0..1
    wastes: dict[str, float] = field(default_factory=dict)
    dominant_waste: str | None = None
    bottleneck: bool = False


@dataclass
class MapFigures:
    map: ValueStreamMap
    stages: list[StageFigures]
    process_hours: float | None
    lead_hours: float | None
    flow_efficiency: float | None
    rolled_complete_accurate: float | None
    bottleneck: StageFigures | None


def map_list(*, value_stream_id: int | None = None) -> QuerySet[ValueStreamMap]:
    """Maps with their stages (and owners) prefetched: two queries whatever the count."""
    qs = ValueStreamMap.objects.select_related("value_stream").prefetch_related(
        Prefetch("stages", queryset=MapStage.objects.select_related("owner").order_by("position", "id"))
    )
    if value_stream_id is not None:
        qs = qs.filter(value_stream_id=value_stream_id)
    return qs.order_by("value_stream__name", "state")


def stage_list() -> QuerySet[MapStage]:
    return MapStage.objects.select_related("map", "owner").order_by("map_id", "position", "id")


def _seconds(left: str, right: str) -> str:
    if connection.vendor == "sqlite":
        return f"((julianday({left}) - julianday({right})) * 86400.0)"
    return f"EXTRACT(EPOCH FROM ({left} - {right}))"


def stage_history(
    *, value_stream_id: int, stages: list[MapStage], since: dt.datetime, until: dt.datetime
) -> dict[int, StageHistory]:
    """Per stage id: the stays of the stream's work items in the stage's tool statuses that began
    in [since, until) and ended by `until` (the item's next status change). A return to a stage
    adds its stays again. One query; no query without statuses to look for."""
    whens = [
        When(tool__in=[status.lower() for status in stage.tool_statuses], then=Value(stage.pk))
        for stage in stages
        if stage.tool_statuses
    ]
    if not whens:
        return {}
    # The next change is found over all of the item's changes in the period, before keeping the
    # stage's own: a stay ends when the item moves on, to whichever status.
    changes = (
        WorkItemStatusChange.objects.filter(
            work_item__value_stream_id=value_stream_id, changed_at__gte=since, changed_at__lt=until
        )
        .annotate(
            tool=Lower("tool_status"),
            left_at=Window(Lead("changed_at"), partition_by=[F("work_item_id")], order_by=[F("changed_at"), F("id")]),
        )
        .annotate(stage=Case(*whens, default=None, output_field=IntegerField()))
        .order_by()
        .values("work_item_id", "to_status", "changed_at", "left_at", "stage")
    )
    inner, params = changes.query.sql_with_params()
    seconds = _seconds("left_at", "changed_at")
    sql = (
        "SELECT stage, COUNT(DISTINCT work_item_id), COUNT(*), SUM(secs), "  # noqa: S608
        "SUM(CASE WHEN to_status = %s THEN secs ELSE 0 END) "
        f"FROM (SELECT stage, work_item_id, to_status, {seconds} AS secs FROM ({inner}) AS changes "
        "WHERE left_at IS NOT NULL AND stage IS NOT NULL) AS stays GROUP BY stage"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (WorkItemStatus.ACTIVE.value, *params))
        rows = cursor.fetchall()
    return {
        stage: StageHistory(items=items, stays=stays, lead_seconds=float(lead), process_seconds=float(process))
        for stage, items, stays, lead, process in rows
    }


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _stage_figures(stage: MapStage, history: StageHistory | None) -> StageFigures:
    figures = StageFigures(stage=stage, source=None)
    if stage.complete_accurate_pct is not None:
        figures.complete_accurate = stage.complete_accurate_pct / 100
    if history is not None and history.items:
        figures.source = "history"
        figures.items = history.items
        figures.lead_hours = history.lead_seconds / history.items / HOUR
        figures.process_hours = history.process_seconds / history.items / HOUR
        figures.wait_hours = figures.lead_hours - figures.process_hours
        figures.handoffs_per_item = (history.stays - history.items) / history.items
        figures.wastes["handoffs"] = (history.stays - history.items) / history.stays
    elif stage.typed_process_hours is not None or stage.typed_wait_hours is not None:
        figures.source = "typed"
        figures.process_hours = _hours(stage.typed_process_hours) or 0.0
        figures.wait_hours = _hours(stage.typed_wait_hours) or 0.0
        figures.lead_hours = figures.process_hours + figures.wait_hours
    if figures.lead_hours:
        figures.wastes["waiting"] = figures.wait_hours / figures.lead_hours
    if figures.complete_accurate is not None:
        figures.wastes["rework"] = 1 - figures.complete_accurate
    # The largest share names the dominant waste; ties go to the earlier of WASTES.
    ranked = sorted(
        ((share, -WASTES.index(name), name) for name, share in figures.wastes.items() if share > 0), reverse=True
    )
    figures.dominant_waste = ranked[0][2] if ranked else None
    return figures


def map_figures(*, vsm: ValueStreamMap, now: dt.datetime | None = None) -> MapFigures:
    """The map's figures. A current-state map measures stages from history (typed figures where a
    stage has none); a future-state map is its typed targets. Stages must be prefetched."""
    now = now or timezone.now()
    stages = list(vsm.stages.all())
    history = {}
    if vsm.state == MapState.CURRENT:
        since = now - dt.timedelta(days=vsm.window_days)
        history = stage_history(value_stream_id=vsm.value_stream_id, stages=stages, since=since, until=now)
    figures = [_stage_figures(stage, history.get(stage.pk)) for stage in stages]
    measured = [f for f in figures if f.lead_hours is not None]
    lead = sum(f.lead_hours for f in measured) if measured else None
    process = sum(f.process_hours for f in measured) if measured else None
    efficiency = process / lead if lead else None
    rolled = None
    rated = [f.complete_accurate for f in figures if f.complete_accurate is not None]
    if rated:
        rolled = 1.0
        for share in rated:
            rolled *= share
    # The bottleneck: the stage where work spends the most time (ties: the earlier stage).
    bottleneck = max(measured, key=lambda f: (f.lead_hours, -f.stage.position), default=None)
    if bottleneck is not None and bottleneck.lead_hours:
        bottleneck.bottleneck = True
    else:
        bottleneck = None
    return MapFigures(
        map=vsm,
        stages=figures,
        process_hours=process,
        lead_hours=lead,
        flow_efficiency=efficiency,
        rolled_complete_accurate=rolled,
        bottleneck=bottleneck,
    )
