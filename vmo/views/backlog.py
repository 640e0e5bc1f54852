"""The VMO backlog at `/vmo/`: ordered, filterable, overdue items flagged, htmx quick add and
status change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vmo.filters import ActionItemFilter
from vmo.forms import ActionItemForm, ActionItemStatusForm
from vmo.models import ActionItem, ActionItemStatus
from vmo.permissions import can_change_action_item, can_keep_vmo_backlog
from vmo.selectors.backlog import action_item_list, action_item_one, backlog_horizons
from vmo.selectors.planning import planning_event_list
from vmo.services import backlog as services
from vmo.views.planning import add_errors


def _annotate_rights(items, user):
    keeper = can_keep_vmo_backlog(user)
    for item in items:
        item.changeable = keeper or (item.owner_id is not None and item.owner_id == user.id)
    return items


# Items per page of the backlog: a busy VMO keeps hundreds; the horizons' counts cover them all.
BACKLOG_PAGE_SIZE = 50


def _context(request, *, form=None):
    filterset = ActionItemFilter(request.GET or None, queryset=action_item_list())
    # get_page: a missing, non-numeric or too large ?page= shows the first or last page, never a 404.
    page = Paginator(filterset.qs, BACKLOG_PAGE_SIZE).get_page(request.GET.get("page"))
    items = _annotate_rights(list(page.object_list), request.user)
    summaries = backlog_horizons()
    # The two horizons as two lists, each in backlog order (one query's rows, split in two).
    for summary in summaries:
        summary.items = [item for item in items if item.horizon == summary.horizon]
    # Page links keep the filters.
    filters = request.GET.copy()
    filters.pop("page", None)
    return {
        "filter": filterset,
        "page": page,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "filter_query": filters.urlencode(),
        "items": items,
        "horizons": summaries,
        "form": form or ActionItemForm(),
        "can_add": can_keep_vmo_backlog(request.user),
        "statuses": ActionItemStatus.choices,
        "events": planning_event_list()[:10],
    }


def vmo_home(request):
    return render(request, "vmo/home.html", _context(request))


@require_POST
def action_item_add(request):
    if not can_keep_vmo_backlog(request.user):
        raise PermissionDenied("Directors, program managers and executives keep the VMO backlog.")
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if request.htmx:
                return render(request, "vmo/home.html#backlog", _context(request))
            messages.success(request, "Action item added.")
            return redirect("vmo-home")
    if request.htmx:
        return render(request, "vmo/home.html#backlog", _context(request, form=form))
    return render(request, "vmo/home.html", _context(request, form=form), status=400)


@require_POST
def action_item_status(request, pk: int):
    item = get_object_or_404(ActionItem, pk=pk)
    if not can_change_action_item(request.user, item):
        raise PermissionDenied("Only backlog keepers and the item's owner change its status.")
    form = ActionItemStatusForm(request.POST)
    error = None
    if form.is_valid():
        services.action_item_set_status(item=item, status=form.cleaned_data["status"])
    else:
        error = "Choose a valid status."
    if request.htmx:
        row = _annotate_rights([action_item_one(item_id=pk)], request.user)[0]
        return render(
            request,
            "vmo/home.html#item-row",
            {
                "item": row,
                "statuses": ActionItemStatus.choices,
                "error": error,
                "can_add": can_keep_vmo_backlog(request.user),
            },
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("vmo-home"))


@require_POST
def action_item_move(request, pk: int):
    """Move an item up or down the backlog (keepers only); htmx gets the backlog back."""
    if not can_keep_vmo_backlog(request.user):
        raise PermissionDenied("Directors, program managers and executives keep the VMO backlog.")
    item = get_object_or_404(ActionItem, pk=pk)
    try:
        services.action_item_move(item=item, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(request, "vmo/home.html#backlog", _context(request))
    return redirect(reverse("vmo-home"))
