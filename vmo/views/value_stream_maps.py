"""The value stream map page at `/value-streams/<slug>/map/`: current and future state side by
side, and improvement items raised into the VMO backlog."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from portfolio.models import MapStage, ValueStream
from portfolio.permissions import can_manage_value_stream
from vmo.forms import MapImprovementItemForm
from vmo.permissions import can_keep_vmo_backlog
from vmo.selectors.value_stream_maps import map_page
from vmo.services import backlog as services
from vmo.views.planning import add_errors

TEMPLATE = "vmo/value_stream_map.html"


def _stages(value_stream: ValueStream):
    return (
        MapStage.objects.filter(map__value_stream=value_stream).select_related("map").order_by("map__state", "position")
    )


def _render(request, value_stream: ValueStream, *, form=None, status: int = 200):
    page = map_page(value_stream=value_stream)
    can_raise = can_keep_vmo_backlog(request.user) or can_manage_value_stream(request.user, value_stream.pk)
    context = {
        "value_stream": value_stream,
        "page": page,
        "can_raise": can_raise,
        "form": form or MapImprovementItemForm(stages=_stages(value_stream)),
    }
    return render(request, TEMPLATE, context, status=status)


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
