"""Writes for what an event records beyond its planning outputs: agenda timeboxes, the system
demo and problem-solving workshop of an inspect and adapt, retrospective notes, and the
improvement items a workshop puts into the VMO backlog.

Each service is the permission gate: directors and program managers run events
(`vmo.permissions.can_run_planning`); anyone else gets PermissionDenied and nothing is written.
A closed event's outputs are frozen (ValidationError), as for the planning outputs.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from vmo.models import (
    RETROSPECTIVE_KINDS,
    ActionItem,
    AgendaItem,
    PlanningEvent,
    PlanningEventKind,
    Priority,
    ProblemWorkshop,
    RetroNote,
    SystemDemo,
)
from vmo.permissions import can_run_planning
from vmo.services.backlog import action_item_create
from vmo.services.planning import event_open_check


def _require_runner(by) -> None:
    if by is None or not can_run_planning(by):
        raise PermissionDenied("Directors and program managers run events.")


def _require_kind(event: PlanningEvent, kinds, what: str) -> None:
    if event.kind not in kinds:
        labels = " or ".join(str(PlanningEventKind(k).label) for k in kinds)
        raise ValidationError({"event": f"Only a {labels} records {what}."})


@transaction.atomic
def agenda_item_add(*, event: PlanningEvent, text: str, planned_minutes: int | None = None, by) -> AgendaItem:
    """Add a line at the end of an open event's agenda, with its timebox."""
    _require_runner(by)
    event_open_check(event)  # locks the event row, so two adds at once take different positions
    last = AgendaItem.objects.filter(event=event).aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(event=event, position=last + 1, text=text, planned_minutes=planned_minutes)
    item.full_clean()
    item.save()
    return item


_UNSET = object()


@transaction.atomic
def agenda_item_set_time(*, item: AgendaItem, planned_minutes=_UNSET, actual_minutes=_UNSET, by) -> AgendaItem:
    """Set an agenda line's timebox and/or the time it actually took (None clears it)."""
    _require_runner(by)
    event_open_check(item.event)
    fields = []
    if planned_minutes is not _UNSET:
        item.planned_minutes = planned_minutes
        fields.append("planned_minutes")
    if actual_minutes is not _UNSET:
        item.actual_minutes = actual_minutes
        fields.append("actual_minutes")
    item.full_clean()
    if fields:
        item.save(update_fields=fields)
    return item


@transaction.atomic
def system_demo_add(
    *, event: PlanningEvent, shown: str, presented_by=None, epic=None, feedback: str = "", by
) -> SystemDemo:
    """Record what an inspect and adapt's system demo showed, who showed it, and the feedback."""
    _require_runner(by)
    _require_kind(event, (PlanningEventKind.INSPECT_AND_ADAPT,), "a system demo")
    event_open_check(event)
    demo = SystemDemo(event=event, shown=shown, presented_by=presented_by, epic=epic, feedback=feedback)
    demo.full_clean()
    demo.save()
    return demo


@transaction.atomic
def problem_workshop_add(*, event: PlanningEvent, problem: str, root_causes: str = "", by) -> ProblemWorkshop:
    """Record a problem of an inspect and adapt's problem-solving workshop and its root causes."""
    _require_runner(by)
    _require_kind(event, (PlanningEventKind.INSPECT_AND_ADAPT,), "a problem-solving workshop")
    event_open_check(event)
    workshop = ProblemWorkshop(event=event, problem=problem, root_causes=root_causes)
    workshop.full_clean()
    workshop.save()
    return workshop


@transaction.atomic
def improvement_item_add(
    *,
    workshop: ProblemWorkshop,
    title: str,
    by,
    owner=None,
    due: dt.date | None = None,
    priority: int = Priority.MEDIUM,
    horizon: str | None = None,
    value_stream=None,
    description: str = "",
) -> ActionItem:
    """Put an improvement item of a workshop into the VMO backlog (from the workshop's event).

    Improvements are long-term by default: they outlive the month of the inspect and adapt.
    """
    _require_runner(by)
    event_open_check(workshop.event)
    return action_item_create(
        title=title,
        created_by=by,
        owner=owner,
        due=due,
        priority=priority,
        value_stream=value_stream,
        description=description,
        source_event=workshop.event,
        workshop=workshop,
        horizon=horizon or "long_term",
    )


@transaction.atomic
def retro_note_add(*, event: PlanningEvent, kind: str, text: str, by) -> RetroNote:
    """Record what went well or what to improve, in a retrospective or an inspect and adapt."""
    _require_runner(by)
    _require_kind(event, RETROSPECTIVE_KINDS, "retrospective notes")
    event_open_check(event)
    note = RetroNote(event=event, kind=kind, text=text, author=by)
    note.full_clean()
    note.save()
    return note


__all__ = [
    "agenda_item_add",
    "agenda_item_set_time",
    "improvement_item_add",
    "problem_workshop_add",
    "retro_note_add",
    "system_demo_add",
]
