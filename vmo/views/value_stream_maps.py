"""The value stream map page at `/value-streams/<slug>/map/`: current and future state side by
side, and improvement items raised into the VMO backlog. The stream's managers and directors
create the maps and type their stages here (plain POST, redirect back; errors re-render the
page with the bound form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portfolio.models import MapStage, MapState, ValueStream, ValueStreamMap
from portfolio.permissions import can_manage_value_stream
from portfolio.services import maps as map_services
from vmo.forms import MapImprovementItemForm, MapStageForm
from vmo.permissions import can_keep_vmo_backlog
from vmo.selectors.value_stream_maps import map_page
from vmo.services import backlog as services
from vmo.views.planning import add_errors

TEMPLATE = "vmo/value_stream_map.html"


def _stages(value_stream: ValueStream):
    return (
        MapStage.objects.filter(map__value_stream=value_stream).select_related("map").order_by("map__state", "position")
    )


def _owner_choices() -> list[tuple]:
    """The owner choices, read once per page and shared by every form on it (one query; the
    field's own iterator would query per form, and `list()` of it counts the users first)."""
    field = MapStageForm.base_fields["owner"]
    return [("", field.empty_label)] + [(user.pk, field.label_from_instance(user)) for user in field.queryset]


def _editors(page: dict, bound: tuple[str, MapStageForm] | None, owner_choices: list[tuple]) -> dict:
    """Per state: the map (or None), a form per stage and a form to add one. A form that failed
    validation (`bound`, by prefix) replaces its blank twin so its errors show next to the fields."""
    bound_prefix, bound_form = bound or (None, None)

    def form(prefix: str, initial: dict | None = None) -> MapStageForm:
        if prefix == bound_prefix:
            bound_form.fields["owner"].widget.choices = owner_choices
            return bound_form
        return MapStageForm(prefix=prefix, initial=initial, owner_choices=owner_choices)

    editors = {}
    for state in MapState.values:
        figures = page[state]
        stages = [f.stage for f in figures.stages] if figures else []
        prefixes = [f"stage-{stage.pk}" for stage in stages] + [f"new-{state}"]
        editors[state] = {
            "state": state,
            "label": MapState(state).label,
            "map": figures.map if figures else None,
            "stages": [(stage, form(f"stage-{stage.pk}", MapStageForm.initial_for(stage))) for stage in stages],
            "add": form(f"new-{state}"),
            "open": bound_prefix in prefixes,
        }
    return editors


def _render(request, value_stream: ValueStream, *, form=None, bound=None, status: int = 200):
    page = map_page(value_stream=value_stream)
    can_edit = can_manage_value_stream(request.user, value_stream.pk)
    can_raise = can_edit or can_keep_vmo_backlog(request.user)
    form = form or MapImprovementItemForm(stages=_stages(value_stream))
    editors = {}
    if can_edit:
        owner_choices = _owner_choices()
        editors = _editors(page, bound, owner_choices)
        form.fields["owner"].widget.choices = owner_choices
    context = {"value_stream": value_stream, "page": page, "can_raise": can_raise, "editors": editors, "form": form}
    return render(request, TEMPLATE, context, status=status)


def _back(slug: str, state: str):
    return redirect(f"{reverse('value-stream-map', args=[slug])}#map-{state}")


def _stage(value_stream: ValueStream, pk: int) -> MapStage:
    return get_object_or_404(MapStage.objects.select_related("map"), pk=pk, map__value_stream=value_stream)


@require_GET
def value_stream_map(request, slug: str):
    return _render(request, get_object_or_404(ValueStream, slug=slug))


@require_POST
def value_stream_map_improvement(request, slug: str):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    form = MapImprovementItemForm(request.POST, stages=_stages(value_stream))
    if form.is_valid():
        try:
            services.improvement_item_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Improvement item added to the VMO backlog.")
            return redirect("value-stream-map", slug=slug)
    return _render(request, value_stream, form=form, status=400)


@require_POST
def value_stream_map_create(request, slug: str):
    """Create the stream's current- or future-state map (one of each)."""
    value_stream = get_object_or_404(ValueStream, slug=slug)
    state = request.POST.get("state", "")
    if state not in MapState.values:
        messages.error(request, "Choose the current or the future state.")
        return _render(request, value_stream, status=400)
    try:
        map_services.map_create(user=request.user, value_stream=value_stream, state=state, title=MapState(state).label)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render(request, value_stream, status=400)
    messages.success(request, f"{MapState(state).label} map created.")
    return _back(slug, state)


@require_POST
def value_stream_map_stage_add(request, slug: str, state: str):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    vsm = get_object_or_404(ValueStreamMap, value_stream=value_stream, state=state)
    prefix = f"new-{state}"
    form = MapStageForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            map_services.stage_create(user=request.user, map=vsm, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Stage added.")
            return _back(slug, state)
    return _render(request, value_stream, bound=(prefix, form), status=400)


@require_POST
def value_stream_map_stage_edit(request, slug: str, pk: int):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    stage = _stage(value_stream, pk)
    prefix = f"stage-{stage.pk}"
    form = MapStageForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            map_services.stage_update(user=request.user, stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Stage saved.")
            return _back(slug, stage.map.state)
    return _render(request, value_stream, bound=(prefix, form), status=400)


@require_POST
def value_stream_map_stage_move(request, slug: str, pk: int):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    stage = _stage(value_stream, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Move a stage up or down.")
        return _render(request, value_stream, status=400)
    map_services.stage_move(user=request.user, stage=stage, up=direction == "up")
    return _back(slug, stage.map.state)


@require_POST
def value_stream_map_stage_delete(request, slug: str, pk: int):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    stage = _stage(value_stream, pk)
    map_services.stage_delete(user=request.user, stage=stage)
    messages.success(request, f"Stage {stage.name} removed.")
    return _back(slug, stage.map.state)
