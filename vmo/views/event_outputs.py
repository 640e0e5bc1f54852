"""Posts that record an event's agenda timeboxes, system demo, problem-solving workshop,
improvement items and retrospective notes, on the event's workspace at `/vmo/planning/<pk>/`.
Each is parse, one service (the permission gate), and back to the workspace."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from vmo.forms import (
    AgendaItemForm,
    AgendaTimeForm,
    ImprovementItemForm,
    ProblemWorkshopForm,
    RetroNoteForm,
    SystemDemoForm,
)
from vmo.models import AgendaItem
from vmo.services import event_outputs as services
from vmo.views.planning import _done_or_reshow, _event_for_change


@require_POST
def agenda_add(request, pk: int):
    event = _event_for_change(request, pk)
    form = AgendaItemForm(request.POST)
    return _done_or_reshow(
        request,
        pk,
        "agenda_form",
        form,
        lambda data: services.agenda_item_add(event=event, by=request.user, **data),
        "Agenda item added.",
    )


@require_POST
def agenda_time(request, pk: int, item_id: int):
    """Record a line's timebox and the minutes it took (a blank field clears it)."""
    _event_for_change(request, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("event"), pk=item_id, event_id=pk)
    form = AgendaTimeForm(request.POST)
    if not form.is_valid():  # the line's small form shows no field errors: say them on top
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return _done_or_reshow(
        request,
        pk,
        "time_form",
        form,
        lambda data: services.agenda_item_set_time(item=item, by=request.user, **data),
        "Times saved.",
    )


@require_POST
def demo_add(request, pk: int):
    event = _event_for_change(request, pk)
    form = SystemDemoForm(request.POST)
    return _done_or_reshow(
        request,
        pk,
        "demo_form",
        form,
        lambda data: services.system_demo_add(event=event, by=request.user, **data),
        "System demo recorded.",
    )


@require_POST
def workshop_add(request, pk: int):
    event = _event_for_change(request, pk)
    form = ProblemWorkshopForm(request.POST)
    return _done_or_reshow(
        request,
        pk,
        "workshop_form",
        form,
        lambda data: services.problem_workshop_add(event=event, by=request.user, **data),
        "Problem-solving workshop recorded.",
    )


@require_POST
def improvement_add(request, pk: int):
    event = _event_for_change(request, pk)
    form = ImprovementItemForm(request.POST, event=event)
    return _done_or_reshow(
        request,
        pk,
        "improvement_form",
        form,
        lambda data: services.improvement_item_add(by=request.user, **data),
        "Improvement item added.",
    )


@require_POST
def retro_note_add(request, pk: int):
    event = _event_for_change(request, pk)
    form = RetroNoteForm(request.POST)
    return _done_or_reshow(
        request,
        pk,
        "retro_form",
        form,
        lambda data: services.retro_note_add(event=event, by=request.user, **data),
        "Retrospective note added.",
    )
