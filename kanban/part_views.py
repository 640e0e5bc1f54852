"""Pages that create and edit what hangs off an epic: MVPs/MMPs, risks (ROAM) and dependencies.

Reached from the epic page and from the planning workspace (`?epic=KEY` picks the epic, `?next=`
says where to go back). Each view parses the form and calls one service of `portfolio.services.epics`,
which is the permission gate the API uses too: a refusal is a 403 and nothing is written. Opening
a form one may not submit is a 403 as well, so nobody fills in a form for nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from kanban.forms import form_errors_from
from kanban.part_forms import DependencyForm, MMPForm, RiskForm, writable_stream_ids
from portfolio.models import MMP, Dependency, Epic, Risk
from portfolio.permissions import can_manage_value_stream, can_record_risks_and_dependencies
from portfolio.services.epics import (
    DENIED,
    RECORD_DENIED,
    dependency_create,
    dependency_update,
    mmp_create,
    mmp_update,
    risk_create,
    risk_update,
)


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _initial_epic(request) -> dict:
    key = request.GET.get("epic", "")
    epic_id = Epic.objects.filter(key=key).values_list("id", flat=True).first() if key else None
    return {"epic": epic_id} if epic_id else {}


def _require_some_stream(user, *, record: bool, message: str) -> None:
    stream_ids = writable_stream_ids(user, record=record)
    if stream_ids is not None and not stream_ids:
        raise PermissionDenied(message)


def _part_page(request, *, form, save, heading: str, done, back: str):
    """Show the form; on a valid POST call `save` (the service) and go back with a message;
    bad input shows the form again with the messages next to the fields (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done(obj))
            return redirect(_next_url(request) or _epic_url(obj))
    context = {"form": form, "heading": heading, "next": _next_url(request), "cancel": _next_url(request) or back}
    return render(request, "kanban/part_form.html", context, status=400 if form.errors else 200)


def _epic_url(obj) -> str:
    epic = obj if isinstance(obj, Epic) else getattr(obj, "epic", None)
    if epic is None:  # a risk on a whole value stream
        return reverse("value-stream-detail", args=[obj.value_stream.slug])
    return reverse("kanban-epic", args=[epic.key])


def _risk_data(data: dict) -> dict:
    # A risk on an epic takes the epic's stream: leave the stream out rather than name it twice.
    data = dict(data)
    if data.get("value_stream") is None:
        data.pop("value_stream", None)
    return data


def mmp_new(request):
    _require_some_stream(request.user, record=False, message=DENIED)
    form = MMPForm(request.POST or None, user=request.user, initial=_initial_epic(request))

    def save(data):
        return mmp_create(user=request.user, **data)

    return _part_page(
        request,
        form=form,
        save=save,
        heading="New MVP or MMP",
        done=lambda mmp: f"{mmp.get_kind_display()} “{mmp.title}” added to {mmp.epic.key}.",
        back=reverse("kanban-board"),
    )


def mmp_edit(request, pk: int):
    mmp = get_object_or_404(MMP.objects.select_related("epic"), pk=pk)
    if not can_manage_value_stream(request.user, mmp.epic.value_stream_id):
        raise PermissionDenied(DENIED)
    form = MMPForm(request.POST or None, user=request.user, instance=mmp)

    def save(data):
        return mmp_update(user=request.user, mmp=mmp, **data)

    return _part_page(
        request,
        form=form,
        save=save,
        heading=f"Edit {mmp.get_kind_display()}: {mmp.title}",
        done=lambda saved: f"{saved.get_kind_display()} “{saved.title}” saved.",
        back=reverse("kanban-epic", args=[mmp.epic.key]),
    )


def risk_new(request):
    _require_some_stream(request.user, record=True, message=RECORD_DENIED)
    initial = _initial_epic(request)
    stream = request.GET.get("value_stream", "")
    if stream.isdigit():
        initial["value_stream"] = int(stream)
    form = RiskForm(request.POST or None, user=request.user, initial=initial)

    def save(data):
        return risk_create(user=request.user, **_risk_data(data))

    return _part_page(
        request,
        form=form,
        save=save,
        heading="New risk",
        done=lambda risk: f"Risk “{risk.title}” recorded ({risk.get_roam_status_display()}).",
        back="",
    )


def risk_edit(request, pk: int):
    risk = get_object_or_404(Risk.objects.select_related("epic", "value_stream"), pk=pk)
    if not can_record_risks_and_dependencies(request.user, risk.value_stream_id):
        raise PermissionDenied(RECORD_DENIED)
    form = RiskForm(request.POST or None, user=request.user, instance=risk)

    def save(data):
        return risk_update(user=request.user, risk=risk, **_risk_data(data))

    return _part_page(
        request,
        form=form,
        save=save,
        heading=f"Edit risk: {risk.title}",
        done=lambda saved: f"Risk “{saved.title}” saved ({saved.get_roam_status_display()}).",
        back=_epic_url(risk),
    )


def dependency_new(request):
    _require_some_stream(request.user, record=True, message=RECORD_DENIED)
    form = DependencyForm(request.POST or None, user=request.user, initial=_initial_epic(request))

    def save(data):
        return dependency_create(user=request.user, **data)

    return _part_page(
        request,
        form=form,
        save=save,
        heading="New dependency",
        done=lambda dep: f"Dependency recorded: {dep.epic.key} waits for {dep.depends_on.key}.",
        back=reverse("kanban-board"),
    )


def dependency_edit(request, pk: int):
    dependency = get_object_or_404(Dependency.objects.select_related("epic", "depends_on"), pk=pk)
    if not can_record_risks_and_dependencies(request.user, dependency.epic.value_stream_id):
        raise PermissionDenied(RECORD_DENIED)
    form = DependencyForm(request.POST or None, user=request.user, instance=dependency)

    def save(data):
        return dependency_update(user=request.user, dependency=dependency, **data)

    return _part_page(
        request,
        form=form,
        save=save,
        heading=f"Edit dependency: {dependency.epic.key} waits for {dependency.depends_on.key}",
        done=lambda dep: f"Dependency saved: {dep.epic.key} waits for {dep.depends_on.key}.",
        back=reverse("kanban-epic", args=[dependency.epic.key]),
    )
