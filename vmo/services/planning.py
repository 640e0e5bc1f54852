"""Writes for planning events: the kickoff checklist, the quarterly planning workspace and its
outputs, and closing an event with a snapshot of the plan.

`plan_snapshot` (written by `planning_event_close`, read by the "then and now" view) is JSON:

    {
      "version": 1,
      "quarter": "2026-Q3",
      "taken_at": "2026-07-02T10:15:00+00:00",          # ISO 8601, UTC
      "allocations": [                                  # the quarter's budget, per value stream
        {"value_stream_id": 3, "value_stream": "payments", "amount_cents": 250000000}
      ],
      "epics": [                                        # every epic not done / not pursued
        {"id": 12, "key": "PAY-7", "value_stream_id": 3, "state": "implementing",
         "wsjf": 4.2, "rank": 1}                         # rank: portfolio-wide WSJF order, 1 = first
      ],                                                # (wsjf null and ranked last when unscored)
      "key_results": [                                  # the quarter's KRs as planned
        {"id": 40, "objective_id": 9, "value_stream_id": 3, "title": "...",
         "direction": "increase", "baseline": "10.0000", "target": "20.0000", "current": "12.0000",
         "weight": "1.00"}                               # decimals as strings, never floats
      ],
      "planned_mmps": [
        {"mmp_id": 5, "epic_id": 12, "value_stream_id": 3, "cost_cents": 4000000}
      ]
    }

`previous_results` (written when a quarterly planning event is created, or refreshed) keeps
last quarter's results as they stood:

    {
      "quarter": "2026-Q2", "as_of": "2026-06-30",
      "value_streams": [
        {"value_stream_id": 3, "name": "Digital Payments", "okr_score": 0.62,
         "allocated_cents": 250000000, "spent_cents": 231000000}
      ],
      "objectives": [
        {"id": 7, "title": "...", "level": "value_stream", "value_stream_id": 3, "score": 0.62}
      ]
    }
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from funding.models import Allocation
from funding.selectors import value_stream_money
from okrs.models import KeyResult, Objective
from okrs.selectors import value_stream_okr_scores
from portfolio.models import MMP, Epic, EpicState, Quarter, ValueStream
from portfolio.selectors.base import quarter_previous
from vmo.models import (
    AgendaItem,
    CommunicationItem,
    PlannedMMP,
    PlanningEvent,
    PlanningEventKind,
    PlanningEventStatus,
)

# The VMO kickoff agenda (issue 5), created as a checklist with every kickoff event.
KICKOFF_AGENDA = (
    "Present the VMO and the executive action team",
    "The commitments asked of everyone",
    "The OKRs and budgets",
    "The team's norms and values",
    "The value stream manager's role",
    "The first prioritised backlog",
    "Action items for the next meetings",
)

QUARTERLY_PLANNING_AGENDA = (
    "Review last quarter's results",
    "Set the quarter's objectives and key results",
    "Select the MMPs for the quarter",
    "Identify dependencies and risks (ROAM)",
    "Agree the communication plan",
    "Capture executive action items",
)


def _open(event: PlanningEvent) -> None:
    """Refuse changes to a closed event. Reads the status under a row lock, so an output added
    while another request closes the event either lands before the snapshot or is refused."""
    status = PlanningEvent.objects.select_for_update().values_list("status", flat=True).get(pk=event.pk)
    if status == PlanningEventStatus.CLOSED:
        raise ValidationError({"event": "This event is closed; its outputs are frozen."})


def previous_results_build(*, quarter: Quarter) -> dict:
    """Last quarter's results (before `quarter`) as JSON: OKR scores and money per value stream.

    Three set-based queries (OKR scores, money, objectives); an empty dict without a previous
    quarter.
    """
    previous = quarter_previous(quarter=quarter)
    if previous is None:
        return {}
    as_of = min(previous.end, timezone.localdate())
    scores = value_stream_okr_scores(quarter=previous)
    money = value_stream_money(quarter=previous, as_of=as_of)
    names = dict(ValueStream.objects.filter(id__in=set(scores) | set(money)).values_list("id", "name"))
    streams = [
        {
            "value_stream_id": vs_id,
            "name": names.get(vs_id, ""),
            "okr_score": scores.get(vs_id),
            "allocated_cents": money[vs_id].allocated_cents if vs_id in money else 0,
            "spent_cents": money[vs_id].spent_cents if vs_id in money else 0,
        }
        for vs_id in sorted(names, key=lambda i: names[i])
        if vs_id in scores or (vs_id in money and (money[vs_id].allocated_cents or money[vs_id].spent_cents))
    ]
    objectives = [
        {
            "id": o["id"],
            "title": o["title"],
            "level": o["level"],
            "value_stream_id": o["value_stream"],
            "score": o["score"],
        }
        for o in Objective.objects.filter(quarter=previous)
        .with_scores()
        .order_by("level", "title", "id")
        .values("id", "title", "level", "value_stream", "score")
    ]
    return {"quarter": previous.code, "as_of": as_of.isoformat(), "value_streams": streams, "objectives": objectives}


@transaction.atomic
def planning_event_create(
    *,
    kind: str,
    quarter: Quarter,
    title: str,
    date: dt.date,
    created_by=None,
    notes: str = "",
    attendees=(),
) -> PlanningEvent:
    """Create a planning event. A kickoff gets the VMO kickoff agenda as a checklist; a quarterly
    planning event gets its agenda and last quarter's results as they stand now."""
    event = PlanningEvent(kind=kind, quarter=quarter, title=title, date=date, notes=notes, created_by=created_by)
    if kind == PlanningEventKind.QUARTERLY_PLANNING:
        event.previous_results = previous_results_build(quarter=quarter)
    event.full_clean()
    event.save()
    if attendees:
        event.attendees.set(attendees)
    agenda = {
        PlanningEventKind.KICKOFF: KICKOFF_AGENDA,
        PlanningEventKind.QUARTERLY_PLANNING: QUARTERLY_PLANNING_AGENDA,
    }
    AgendaItem.objects.bulk_create(
        [AgendaItem(event=event, position=i, text=text) for i, text in enumerate(agenda.get(kind, ()), start=1)]
    )
    return event


@transaction.atomic
def planning_event_update(*, event: PlanningEvent, attendees=None, **fields) -> PlanningEvent:
    _open(event)
    for name, value in fields.items():
        if name not in ("title", "date", "notes"):
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(event, name, value)
    event.full_clean()
    event.save()
    if attendees is not None:
        event.attendees.set(attendees)
    return event


@transaction.atomic
def planning_event_refresh_results(*, event: PlanningEvent) -> PlanningEvent:
    """Re-take last quarter's results (while the event is open)."""
    _open(event)
    event.previous_results = previous_results_build(quarter=event.quarter)
    event.save(update_fields=["previous_results"])
    return event


@transaction.atomic
def agenda_item_set_done(*, item: AgendaItem, done: bool) -> AgendaItem:
    _open(item.event)
    item.done = done
    item.save(update_fields=["done"])
    return item


@transaction.atomic
def planned_mmp_add(*, event: PlanningEvent, mmp: MMP) -> PlannedMMP:
    """Select an MMP for the quarter; its cost is frozen as estimated at selection time."""
    _open(event)
    if PlannedMMP.objects.filter(event=event, mmp=mmp).exists():
        raise ValidationError({"mmp": "This MMP is already selected in this event."})
    planned = PlannedMMP(event=event, mmp=mmp, cost_cents=mmp.cost_estimate_cents)
    planned.full_clean()
    planned.save()
    return planned


@transaction.atomic
def planned_mmp_remove(*, event: PlanningEvent, mmp_id: int) -> None:
    _open(event)
    PlannedMMP.objects.filter(event=event, mmp_id=mmp_id).delete()


@transaction.atomic
def communication_item_add(
    *, event: PlanningEvent, audience: str, message: str, channel: str, owner=None, date: dt.date | None = None
) -> CommunicationItem:
    _open(event)
    item = CommunicationItem(event=event, audience=audience, message=message, channel=channel, owner=owner, date=date)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def planning_event_link(*, event: PlanningEvent, risks=(), dependencies=()) -> PlanningEvent:
    """Record risks and dependencies raised in the event (existing rows, linked)."""
    _open(event)
    if risks:
        event.risks.add(*risks)
    if dependencies:
        event.dependencies.add(*dependencies)
    return event


def plan_snapshot_build(*, quarter: Quarter) -> dict:
    """The plan as it stands, in the JSON shape documented at the top of this module."""
    allocations = [
        {"value_stream_id": vs_id, "value_stream": slug, "amount_cents": amount}
        for vs_id, slug, amount in Allocation.objects.filter(budget__quarter=quarter)
        .order_by("value_stream__name")
        .values_list("value_stream_id", "value_stream__slug", "amount_cents")
    ]
    epics = [
        {
            "id": e["id"],
            "key": e["key"],
            "value_stream_id": e["value_stream"],
            "state": e["state"],
            "wsjf": e["wsjf"],
            "rank": e["rank"],
        }
        for e in Epic.objects.exclude(state__in=[EpicState.DONE, EpicState.NOT_PURSUED])
        .annotate(
            rank=Window(
                RowNumber(),
                order_by=[
                    F("wsjf").desc(nulls_last=True),
                    F("cost_of_delay").desc(nulls_last=True),
                    F("job_size").asc(nulls_last=True),
                    F("created_at").asc(),
                    F("id").asc(),
                ],
            )
        )
        .order_by("rank")
        .values("id", "key", "value_stream", "state", "wsjf", "rank")
    ]
    key_results = [
        {
            "id": k["id"],
            "objective_id": k["objective"],
            "value_stream_id": k["objective__value_stream"],
            "title": k["title"],
            "direction": k["direction"],
            "baseline": str(k["baseline"]),
            "target": str(k["target"]),
            "current": str(k["current"]),
            "weight": str(k["weight"]),
        }
        for k in KeyResult.objects.filter(objective__quarter=quarter)
        .order_by("objective_id", "id")
        .values(
            "id",
            "objective",
            "objective__value_stream",
            "title",
            "direction",
            "baseline",
            "target",
            "current",
            "weight",
        )
    ]
    return {
        "version": 1,
        "quarter": quarter.code,
        "allocations": allocations,
        "epics": epics,
        "key_results": key_results,
    }


@transaction.atomic
def planning_event_close(*, event: PlanningEvent) -> PlanningEvent:
    """Close an event and keep the plan as it stood (`plan_snapshot`, shape in the module doc).

    The event row is locked so two closes at once write one snapshot; closing a closed event is
    refused.
    """
    event = PlanningEvent.objects.select_for_update().select_related("quarter").get(pk=event.pk)
    _open(event)
    now = timezone.now()
    snapshot = plan_snapshot_build(quarter=event.quarter)
    snapshot["taken_at"] = now.isoformat()
    snapshot["planned_mmps"] = [
        {"mmp_id": mmp_id, "epic_id": epic_id, "value_stream_id": vs_id, "cost_cents": cost}
        for mmp_id, epic_id, vs_id, cost in PlannedMMP.objects.filter(event=event)
        .order_by("id")
        .values_list("mmp_id", "mmp__epic_id", "mmp__epic__value_stream_id", "cost_cents")
    ]
    event.plan_snapshot = snapshot
    event.status = PlanningEventStatus.CLOSED
    event.closed_at = now
    event.save(update_fields=["plan_snapshot", "status", "closed_at"])
    return event


__all__ = [
    "KICKOFF_AGENDA",
    "agenda_item_set_done",
    "communication_item_add",
    "planned_mmp_add",
    "planned_mmp_remove",
    "planning_event_close",
    "planning_event_create",
    "planning_event_link",
    "planning_event_refresh_results",
    "planning_event_update",
]
