"""The executive overview at `/`: the quarter's money, outcomes and flow per value stream."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.history import page_as_of
from kanban.selectors import no_value_days
from portfolio.models import Quarter, ValueStream
from portfolio.money import chart_amount
from portfolio.selectors.base import quarter_from_code, quarter_previous
from vmo.forms import OverviewActionItemForm
from vmo.permissions import can_keep_vmo_backlog
from vmo.selectors.drift import portfolio_as_of
from vmo.selectors.overview import (
    SORTS,
    overview_rows,
    parse_sort,
    plan_changes,
    portfolio_figures,
    portfolio_totals,
    with_bands,
)
from vmo.selectors.people import impediments_escalated_open
from vmo.selectors.value import mvp_watch, value_rows
from vmo.services.backlog import action_item_create

# Table columns in order: ?sort= key, header, numeric.
COLUMNS = (
    ("name", "Value stream", False),
    ("allocated", "Allocated", True),
    ("spent", "Spent", True),
    ("forecast", "Forecast", True),
    ("okr", "OKR score", True),
    ("progress", "Delivery progress", True),
    ("velocity", "Flow velocity", True),
    ("flow_time", "Flow time (days, median)", True),
    ("dora", "DORA level", False),
    ("risks", "Open risks", True),
)
# Columns whose header links to the figure's definition on /metrics/.
COLUMN_METRICS = {"velocity": "flow_velocity", "flow_time": "flow_time", "dora": "dora_level"}
EXPORT_LISTS = (
    ("epics", "Epics"),
    ("allocations", "Allocations"),
    ("spend", "Spend"),
    ("okrs", "OKRs"),
    ("value", "What the money bought"),
)


def _chart_data(rows, trend) -> dict:
    """Series for Chart.js, money in currency units like every chart's."""
    return {
        "streams": [row.name for row in rows],
        "allocated": [chart_amount(row.allocated_cents) for row in rows],
        "spent": [chart_amount(row.spent_cents) for row in rows],
        "outcome": [
            {"label": row.name, "x": chart_amount(row.spent_cents), "y": row.okr_score}
            for row in rows
            if row.okr_score is not None and row.spent_cents is not None
        ],
        "trend": {
            "quarters": [point["quarter"] for point in trend],
            "allocated": [chart_amount(point["allocated_cents"]) for point in trend],
            "spent": [chart_amount(point["spent_cents"]) for point in trend],
            "okr_score": [point["okr_score"] for point in trend],
            "delivery_progress": [point["delivery_progress"] for point in trend],
            "flow_velocity": [point["flow_velocity"] for point in trend],
        },
    }


def _sort_links(*, quarter_code: str, sort: str, descending: bool) -> dict[str, str]:
    """For each sortable column the query string that sorts by it (clicking again reverses)."""
    links = {}
    for key in SORTS:
        flip = key == sort and not descending
        links[key] = f"?quarter={quarter_code}&sort={'-' if flip else ''}{key}"
    return links


def _header(*, quarter_code: str, sort: str, descending: bool) -> list[tuple]:
    """Each column with its sort link and metric key, looked up here once (the template used to
    scan every link and metric for every column)."""
    links = _sort_links(quarter_code=quarter_code, sort=sort, descending=descending)
    return [(key, label, numeric, links[key], COLUMN_METRICS.get(key)) for key, label, numeric in COLUMNS]


@require_http_methods(["GET"])
def overview(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    as_of = page_as_of(request)
    context = {
        "as_of": as_of,
        "as_of_enabled": True,
        "quarter": quarter,
        "quarters": Quarter.objects.order_by("-start"),
        "export_lists": EXPORT_LISTS,
    }
    if quarter is None:
        return render(request, "vmo/overview.html", context)
    sort, descending = parse_sort(request.GET.get("sort"))
    previous = quarter_previous(quarter=quarter)
    rows = with_bands(overview_rows(quarter=quarter, previous=previous, sort=sort, descending=descending))
    context.update(
        rows=rows,
        previous=previous,
        sort=sort,
        descending=descending,
        header=_header(quarter_code=quarter.code, sort=sort, descending=descending),
        can_raise_actions=can_keep_vmo_backlog(request.user) and as_of is None,
        past=portfolio_as_of(quarter=quarter, day=as_of) if as_of else None,
    )
    if request.htmx and request.htmx.target == "overview-table":
        context.update(totals=portfolio_totals(quarter=quarter))
        return render(request, "vmo/overview.html#table", context)
    figures = portfolio_figures(quarter=quarter, previous=previous)
    context.update(
        totals=figures.totals,
        chart_data=_chart_data(rows, figures.trend),
        previous_totals=figures.previous_totals,
        plan=plan_changes(quarter=quarter),
        value_rows=value_rows(quarter=quarter),
        mvp_watch=mvp_watch(today=timezone.localdate()),
        no_value_days=no_value_days(),
        escalated_impediments=list(impediments_escalated_open()[:50]),
    )
    return render(request, "vmo/overview.html", context)


@require_http_methods(["GET", "POST"])
def action_item(request):
    """GET: the form for one value stream's row; POST: create the item in the VMO backlog.

    Executives, program managers and directors keep the backlog; anyone else gets 403 and
    nothing is written.
    """
    if not can_keep_vmo_backlog(request.user):
        raise PermissionDenied("Only executives, program managers and directors raise action items.")
    quarter_code = request.GET.get("quarter") or request.POST.get("quarter") or ""
    if request.method == "POST":
        form = OverviewActionItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            item = action_item_create(
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                value_stream=data["value_stream"],
                due=data["due"],
                priority=data["priority"],
                created_by=request.user,
            )
            if request.htmx:
                return render(request, "vmo/overview.html#action-done", {"item": item})
            messages.success(request, f"Action item “{item.title}” added to the VMO backlog.")
            return redirect(f"{reverse('overview')}?quarter={quarter_code}" if quarter_code else "overview")
    else:
        form = OverviewActionItemForm(
            initial={"value_stream": request.GET.get("value_stream"), "owner": request.user.pk}
        )
    value_stream = ValueStream.objects.filter(pk=form["value_stream"].value() or None).first()
    context = {"form": form, "action_value_stream": value_stream, "quarter_code": quarter_code, "action_page": True}
    if request.htmx:
        return render(request, "vmo/overview.html#action-form", context)
    return render(request, "vmo/overview.html", context)
