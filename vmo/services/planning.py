"""Writes for planning events: the kickoff checklist, the quarterly planning workspace and its
outputs, and closing an event with a snapshot of the plan.

`plan_snapshot` is written by `planning_event_close` through `vmo.plan_snapshot`, which
documents its shape and reads it back.

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
from django.utils import timezone

from funding.selectors import value_stream_money
from okrs.selectors import objective_scores_of_quarter, value_stream_okr_scores
from portfolio.models import MMP, Quarter, ValueStream
from portfolio.selectors.base import quarter_previous
from vmo.models import (
    AgendaItem,
    CommunicationItem,
    PlannedMMP,
    PlanningEvent,
    PlanningEventKind,
    PlanningEventStatus,
)
from vmo.plan_snapshot import plan_snapshot_take
from vmo.selectors.people import event_invitee_ids, vmo_sync_agenda_lines

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

# Agendas with their timeboxes (planned minutes), created with the event.
INSPECT_AND_ADAPT_AGENDA = (
    ("System demo: what the quarter delivered", 60),
    ("The quarter's results against last quarter", 30),
    ("Retrospective", 30),
    ("Problem-solving workshop", 90),
    ("Improvement items into the backlog", 15),
)
RETROSPECTIVE_AGENDA = (
    ("Set the stage", 5),
    ("What went well", 15),
    ("What to improve", 20),
    ("Actions with owners and due dates", 15),
    ("Close", 5),
)


def _open(event: PlanningEvent) -> None:
    """Refuse changes to a closed event. Reads the status under a row lock, so an output added
    while another request closes the event either lands before the snapshot or is refused."""
    status = PlanningEvent.objects.select_for_update().values_list("status", flat=True).get(pk=event.pk)
    if status == PlanningEventStatus.CLOSED:
        raise ValidationError({"event": "This event is closed; its outputs are frozen."})


# The same check for the other event services (vmo.services.event_outputs).
event_open_check = _open


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
        for o in objective_scores_of_quarter(quarter=previous)
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
    team=None,
) -> PlanningEvent:
    """Create a planning event. A kickoff gets the VMO kickoff agenda as a checklist; a quarterly
    planning event gets its agenda and last quarter's results as they stand now; an inspect and
    adapt and a retrospective get their agendas with timeboxes; a VMO sync gets its agenda from
    live data (`vmo.selectors.people.vmo_sync_agenda`). Only a retrospective names a team (a
    team's retrospective; without one it is the VMO's). Without attendees named, the people whose
    roles the kind of event needs are invited."""
    if team is not None and kind != PlanningEventKind.RETROSPECTIVE:
        raise ValidationError({"team": "Only a retrospective belongs to a team."})
    event = PlanningEvent(
        kind=kind, quarter=quarter, title=title, date=date, notes=notes, created_by=created_by, team=team
    )
    if kind == PlanningEventKind.QUARTERLY_PLANNING:
        event.previous_results = previous_results_build(quarter=quarter)
    event.full_clean()
    event.save()
    if attendees:
        event.attendees.set(attendees)
    else:
        # Nobody named: invite the people whose roles the event needs (issue 20).
        event.attendees.set(event_invitee_ids(kind=kind, quarter=quarter))
    agenda = {
        PlanningEventKind.KICKOFF: KICKOFF_AGENDA,
        PlanningEventKind.QUARTERLY_PLANNING: QUARTERLY_PLANNING_AGENDA,
        PlanningEventKind.INSPECT_AND_ADAPT: INSPECT_AND_ADAPT_AGENDA,
        PlanningEventKind.RETROSPECTIVE: RETROSPECTIVE_AGENDA,
    }
    if kind == PlanningEventKind.VMO_SYNC:
        # The VMO sync's short agenda is generated from live data as the event is opened.
        agenda[kind] = vmo_sync_agenda_lines(quarter=quarter)
    lines = [line if isinstance(line, tuple) else (line, None) for line in agenda.get(kind, ())]
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(event=event, position=i, text=text, planned_minutes=minutes)
            for i, (text, minutes) in enumerate(lines, start=1)
        ]
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


@transaction.atomic
def planning_event_close(*, event: PlanningEvent) -> PlanningEvent:
    """Close an event and keep the plan as it stood (`plan_snapshot`, shape in the module doc).

    The event row is locked so two closes at once write one snapshot; closing a closed event is
    refused.
    """
    event = PlanningEvent.objects.select_for_update().select_related("quarter").get(pk=event.pk)
    _open(event)
    now = timezone.now()
    # The planned business value of a committed MMP is its epic's user-business value (the WSJF
    # input) as it stands now, frozen here for the quarter's flow predictability.
    planned_mmps = [
        {"mmp_id": mmp_id, "epic_id": epic_id, "value_stream_id": vs_id, "cost_cents": cost, "business_value": bv}
        for mmp_id, epic_id, vs_id, cost, bv in PlannedMMP.objects.filter(event=event)
        .order_by("id")
        .values_list("mmp_id", "mmp__epic_id", "mmp__epic__value_stream_id", "cost_cents", "mmp__epic__business_value")
    ]
    event.plan_snapshot = plan_snapshot_take(quarter=event.quarter, taken_at=now, planned_mmps=planned_mmps)
    event.status = PlanningEventStatus.CLOSED
    event.closed_at = now
    event.save(update_fields=["plan_snapshot", "status", "closed_at"])
    return event


__all__ = [
    "INSPECT_AND_ADAPT_AGENDA",
    "KICKOFF_AGENDA",
    "RETROSPECTIVE_AGENDA",
    "agenda_item_set_done",
    "communication_item_add",
    "event_open_check",
    "planned_mmp_add",
    "planned_mmp_remove",
    "planning_event_close",
    "planning_event_create",
    "planning_event_link",
    "planning_event_refresh_results",
    "planning_event_update",
]
