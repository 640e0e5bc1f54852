"""Reads for planning events: the quarterly planning workspace and its printable summary."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from funding.selectors import allocation_amount
from okrs.selectors import OkrTree, okr_tree
from portfolio.models import MMP, Dependency, Risk
from portfolio.selectors.forecasts import mmp_probabilities
from vmo.models import (
    RETROSPECTIVE_KINDS,
    AgendaItem,
    CommunicationItem,
    PlannedMMP,
    PlanningEvent,
    PlanningEventKind,
)
from vmo.selectors.backlog import action_item_list
from vmo.selectors.event_outputs import EventOutputs, QuarterResults, event_outputs, quarter_results


def planning_event_list() -> QuerySet[PlanningEvent]:
    """Events newest first with their quarter and counts of outputs (one query)."""
    return PlanningEvent.objects.select_related("quarter").annotate(
        action_item_count=Count("action_items", distinct=True),
        agenda_open=Count("agenda", filter=Q(agenda__done=False), distinct=True),
    )


@dataclass
class StreamPlan:
    """Selected MMP cost against a value stream's allocation in the event's quarter (cents)."""

    value_stream_id: int
    name: str
    planned_cents: int
    allocated_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.allocated_cents - self.planned_cents

    @property
    def over(self) -> bool:
        return self.planned_cents > self.allocated_cents


@dataclass
class Workspace:
    event: PlanningEvent
    agenda: list
    planned_mmps: list
    stream_plans: list[StreamPlan]
    okrs: OkrTree | None
    risks: list
    dependencies: list
    communications: list
    action_items: list
    attendees: list
    outputs: EventOutputs | None = None
    results: QuarterResults | None = None

    @property
    def is_planning(self) -> bool:
        return self.event.kind == PlanningEventKind.QUARTERLY_PLANNING

    @property
    def is_inspect_adapt(self) -> bool:
        return self.event.kind == PlanningEventKind.INSPECT_AND_ADAPT

    @property
    def has_retrospective(self) -> bool:
        return self.event.kind in RETROSPECTIVE_KINDS


def stream_plans(*, event: PlanningEvent) -> list[StreamPlan]:
    """Per value stream with selected MMPs: the sum of their costs and the stream's allocation
    in the quarter. The cost is summed per stream and the allocation comes from its own
    subquery, so neither multiplies the other."""
    allocation = allocation_amount(quarter_id=event.quarter_id, value_stream_ref="mmp__epic__value_stream_id")
    rows = (
        PlannedMMP.objects.filter(event=event)
        .values("mmp__epic__value_stream_id", "mmp__epic__value_stream__name")
        .annotate(planned=Coalesce(Sum("cost_cents"), Value(0)), allocated=allocation)
        .order_by("mmp__epic__value_stream__name")
    )
    return [
        StreamPlan(
            value_stream_id=r["mmp__epic__value_stream_id"],
            name=r["mmp__epic__value_stream__name"],
            planned_cents=r["planned"],
            allocated_cents=r["allocated"],
        )
        for r in rows
    ]


def planning_workspace(*, event_id: int) -> Workspace:
    """Everything a planning event holds, in a fixed number of queries."""
    event = PlanningEvent.objects.select_related("quarter", "created_by", "team").get(pk=event_id)
    planned = list(
        PlannedMMP.objects.filter(event=event)
        .select_related("mmp__epic__value_stream")
        .order_by("mmp__epic__key", "id")
    )
    # The chance each committed MMP lands by the quarter's end, from the cached forecast.
    chances = mmp_probabilities(mmp_ids=[p.mmp_id for p in planned], day=event.quarter.end) if planned else {}
    for p in planned:
        p.landing_probability = chances.get(p.mmp_id)
    return Workspace(
        event=event,
        agenda=list(AgendaItem.objects.filter(event=event).order_by("position")),
        planned_mmps=planned,
        stream_plans=stream_plans(event=event),
        okrs=okr_tree(quarter=event.quarter) if event.kind == PlanningEventKind.QUARTERLY_PLANNING else None,
        risks=list(event.risks.select_related("value_stream", "epic", "owner").order_by("id")),
        dependencies=list(event.dependencies.select_related("epic", "depends_on").order_by("id")),
        communications=list(CommunicationItem.objects.filter(event=event).select_related("owner")),
        action_items=list(action_item_list().filter(source_event=event)),
        attendees=list(event.attendees.order_by("username")),
        outputs=event_outputs(event=event),
        results=quarter_results(quarter=event.quarter) if event.kind == PlanningEventKind.INSPECT_AND_ADAPT else None,
    )


def selectable_mmps(*, event: PlanningEvent) -> QuerySet[MMP]:
    """MMPs that can still be selected: not released or canceled, not yet in this event."""
    return (
        MMP.objects.exclude(status__in=["released", "canceled"])
        .exclude(id__in=PlannedMMP.objects.filter(event=event).values("mmp_id"))
        .select_related("epic")
        .order_by("epic__key", "id")
    )


def linkable_risks(*, event: PlanningEvent) -> QuerySet[Risk]:
    return Risk.objects.exclude(planning_events=event).select_related("value_stream").order_by("-raised_at", "id")


def linkable_dependencies(*, event: PlanningEvent) -> QuerySet[Dependency]:
    return (
        Dependency.objects.exclude(planning_events=event)
        .filter(resolved=False)
        .select_related("epic", "depends_on")
        .order_by("id")
    )
