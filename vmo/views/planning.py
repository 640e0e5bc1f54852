"""Planning events at `/vmo/planning/`: the list, the workspace of one event with its outputs,
the printable summary. Directors and program managers change them; everyone reads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portfolio.permissions import is_director, managed_value_stream_ids
from vmo.filters import PlanningEventFilter
from vmo.forms import (
    ActionItemForm,
    CommunicationItemForm,
    EventLinkForm,
    PlannedMMPForm,
    PlanningEventForm,
    event_output_forms,
)
from vmo.models import AgendaItem, PlanningEvent, PlanningEventKind
from vmo.permissions import can_escalate_impediment, can_run_planning
from vmo.selectors.people import impediments_open
from vmo.selectors.planning import (
    linkable_dependencies,
    linkable_risks,
    planning_event_list,
    planning_workspace,
    selectable_mmps,
)
from vmo.services import backlog as backlog_services
from vmo.services import planning as services


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field messages on their fields, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _require_planner(user):
    if not can_run_planning(user):
        raise PermissionDenied("Directors and program managers run planning events.")


def _errors_to_messages(request, exc: ValidationError):
    for msg in exc.messages:
        messages.error(request, msg)


def planning_list(request):
    filterset = PlanningEventFilter(request.GET or None, queryset=planning_event_list())
    form = PlanningEventForm()
    if request.method == "POST":
        _require_planner(request.user)
        form = PlanningEventForm(request.POST)
        if form.is_valid():
            event = services.planning_event_create(created_by=request.user, **form.cleaned_data)
            return redirect("vmo-planning-detail", pk=event.pk)
    return render(
        request,
        "vmo/planning_list.html",
        {"filter": filterset, "events": filterset.qs, "form": form, "can_plan": can_run_planning(request.user)},
        status=400 if form.errors else 200,
    )


def _workspace_context(request, pk, **forms):
    try:
        ws = planning_workspace(event_id=pk)
    except PlanningEvent.DoesNotExist:
        raise Http404("No such planning event.") from None
    can_plan = can_run_planning(request.user) and ws.event.status == "open"
    context = {"ws": ws, "event": ws.event, "can_plan": can_plan}
    if ws.event.kind == PlanningEventKind.VMO_SYNC:
        # The sync decides what to escalate: its open impediments, with the escalate button.
        context["sync_impediments"] = list(impediments_open()[:50])
        context["can_escalate"] = can_plan and can_escalate_impediment(request.user)
    if can_plan:
        mmp_form = forms.get("mmp_form") or PlannedMMPForm()
        mmp_form.fields["mmp"].queryset = selectable_mmps(event=ws.event)
        link_form = forms.get("link_form") or EventLinkForm()
        link_form.fields["risk"].queryset = linkable_risks(event=ws.event)
        link_form.fields["dependency"].queryset = linkable_dependencies(event=ws.event)
        context.update(
            # MVPs/MMPs are written by the streams' managers and directors only (not program managers).
            can_add_mmps=is_director(request.user) or bool(managed_value_stream_ids(request.user)),
            mmp_form=mmp_form,
            link_form=link_form,
            communication_form=forms.get("communication_form") or CommunicationItemForm(),
            action_form=forms.get("action_form") or ActionItemForm(),
            **event_output_forms(event=ws.event, **forms),
        )
    return context


def planning_detail(request, pk: int):
    return render(request, "vmo/planning_detail.html", _workspace_context(request, pk))


def planning_summary(request, pk: int):
    return render(request, "vmo/planning_summary.html", _workspace_context(request, pk) | {"can_plan": False})


def _event_for_change(request, pk) -> PlanningEvent:
    _require_planner(request.user)
    return get_object_or_404(PlanningEvent.objects.select_related("quarter"), pk=pk)


def _done_or_reshow(request, pk, form_name, form, action, done: str):
    """Run `action` when the form is valid and say `done`; else show the workspace again with
    the form's errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("vmo-planning-detail", pk=pk)
    # A closed event shows no forms, so say why nothing was recorded at the top of the page too.
    for message in form.non_field_errors():
        messages.error(request, message)
    return render(request, "vmo/planning_detail.html", _workspace_context(request, pk, **{form_name: form}), status=400)


@require_POST
def planning_add_mmp(request, pk: int):
    event = _event_for_change(request, pk)
    form = PlannedMMPForm(request.POST)
    form.fields["mmp"].queryset = selectable_mmps(event=event)
    return _done_or_reshow(
        request,
        pk,
        "mmp_form",
        form,
        lambda data: services.planned_mmp_add(event=event, mmp=data["mmp"]),
        "MMP selected for the plan.",
    )


@require_POST
def planning_remove_mmp(request, pk: int, mmp_id: int):
    event = _event_for_change(request, pk)
    try:
        services.planned_mmp_remove(event=event, mmp_id=mmp_id)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "MMP removed from the plan.")
    return redirect("vmo-planning-detail", pk=pk)


@require_POST
def planning_add_communication(request, pk: int):
    event = _event_for_change(request, pk)
    form = CommunicationItemForm(request.POST)
    return _done_or_reshow(
        request,
        pk,
        "communication_form",
        form,
        lambda data: services.communication_item_add(event=event, **data),
        "Communication item added.",
    )


@require_POST
def planning_add_action_item(request, pk: int):
    event = _event_for_change(request, pk)
    form = ActionItemForm(request.POST)

    def create(data):
        if event.status != "open":
            raise ValidationError("This event is closed; its outputs are frozen.")
        backlog_services.action_item_create(created_by=request.user, source_event=event, **data)

    return _done_or_reshow(request, pk, "action_form", form, create, "Action item added to the VMO backlog.")


@require_POST
def planning_link(request, pk: int):
    event = _event_for_change(request, pk)
    form = EventLinkForm(request.POST)

    def link(data):
        services.planning_event_link(
            event=event,
            risks=[data["risk"]] if data.get("risk") else [],
            dependencies=[data["dependency"]] if data.get("dependency") else [],
        )

    return _done_or_reshow(request, pk, "link_form", form, link, "Linked to the event.")


@require_POST
def planning_agenda_toggle(request, pk: int, item_id: int):
    _event_for_change(request, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("event"), pk=item_id, event_id=pk)
    try:
        item = services.agenda_item_set_done(item=item, done=not item.done)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    if request.htmx:
        return render(
            request, "vmo/planning_detail.html#agenda-item", {"item": item, "event": item.event, "can_plan": True}
        )
    return redirect("vmo-planning-detail", pk=pk)


@require_POST
def planning_refresh_results(request, pk: int):
    event = _event_for_change(request, pk)
    try:
        services.planning_event_refresh_results(event=event)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "Last quarter's results taken again.")
    return redirect("vmo-planning-detail", pk=pk)


@require_POST
def planning_close(request, pk: int):
    event = _event_for_change(request, pk)
    try:
        services.planning_event_close(event=event)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, "Event closed; the plan as it stands is kept with it.")
    return redirect("vmo-planning-detail", pk=pk)
