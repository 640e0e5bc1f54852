"""Pages of the portfolio Kanban: the board, the scoring page, the epic page and its forms.

Each view parses input, calls one service or selector and renders; htmx requests get the named
partial of the same template.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kanban.forms import EpicForm, GoDecisionForm, MoveForm, ScoreForm, form_errors_from
from kanban.selectors import board_columns, epic_transitions
from kanban.services import MoveConflict, MoveRefused, epic_move
from portfolio.filters.epics import EpicFilter
from portfolio.models import EPIC_FLOW, Epic, EpicState
from portfolio.models.epics import WSJF_INPUTS
from portfolio.permissions import can_manage_value_stream, is_director, managed_value_stream_ids
from portfolio.selectors.epics import (
    epic_detail,
    epic_history_changes,
    epic_list,
    scoring_column_warnings,
)
from portfolio.services.epics import DENIED as EPIC_DENIED
from portfolio.services.epics import epic_create, epic_go_decision_record, epic_score, epic_update


def _board_context(request, query_string: str, *, errors=(), moved=None):
    from django.http import QueryDict

    params = QueryDict(query_string)
    filterset = EpicFilter(params, queryset=Epic.objects.all())
    epics = filterset.qs if filterset.is_valid() else Epic.objects.none()
    value_stream = filterset.form.cleaned_data.get("value_stream") if filterset.is_valid() else None
    return {
        "filter": filterset,
        "columns": board_columns(epics=epics, value_stream_id=value_stream.id if value_stream else None),
        "states": EpicState.choices,
        # The board's script reads the forward order from here (the one home is EPIC_FLOW).
        "flow": ",".join(EPIC_FLOW),
        "query": query_string,
        "managed_ids": managed_value_stream_ids(request.user),
        "is_director": is_director(request.user),
        "errors": errors,
        "moved": moved,
    }


def board(request):
    """The portfolio Kanban at /kanban/: columns ranked by WSJF, filters shared with the API."""
    context = _board_context(request, request.GET.urlencode())
    template = "kanban/board.html#board" if request.htmx else "kanban/board.html"
    return render(request, template, context)


@require_POST
def epic_move_view(request, key: str):
    """Move a card (the card's form without JS, the drag and drop with it); one service."""
    epic = get_object_or_404(Epic.objects.only("id", "value_stream_id", "key"), key=key)
    query = request.POST.get("query", "")
    form = MoveForm(request.POST)
    status, errors, moved = 200, [], None
    if not form.is_valid():
        status = 400
        errors = [f"{field}: {', '.join(errs)}" for field, errs in form.errors.items()]
    else:
        try:
            epic_move(epic_id=epic.id, user=request.user, **form.cleaned_data)
            moved = epic.key
        except MoveConflict as exc:
            status, errors = 409, [str(exc)]
        except MoveRefused as exc:
            status, errors = 400, exc.conditions
    if request.POST.get("next") == "epic" and status == 200 and not request.htmx:
        messages.success(request, f"{epic.key} moved.")
        return redirect("kanban-epic", key=epic.key)
    if not request.htmx and status == 200:
        messages.success(request, f"{epic.key} moved.")
        return redirect(f"{reverse('kanban-board')}?{query}" if query else reverse("kanban-board"))
    context = _board_context(request, query, errors=errors, moved=moved)
    template = "kanban/board.html#board" if request.htmx else "kanban/board.html"
    return render(request, template, context, status=status)


def _scoring_context(request, query_string: str, *, errors=None):
    from django.http import QueryDict

    filterset = EpicFilter(QueryDict(query_string), queryset=Epic.objects.open())
    epics = filterset.qs if filterset.is_valid() else Epic.objects.none()
    return {
        "filter": filterset,
        "epics": epic_list().filter(id__in=epics.values("id")),
        "warnings": scoring_column_warnings(queryset=epics),
        "inputs": WSJF_INPUTS,
        "scale": ScoreForm.base_fields["job_size"].choices,
        "query": query_string,
        "managed_ids": managed_value_stream_ids(request.user),
        "is_director": is_director(request.user),
        "errors": errors or {},
    }


def scoring(request):
    """Score WSJF column by column for a value stream (or all); the ranking updates in place."""
    context = _scoring_context(request, request.GET.urlencode())
    template = "kanban/scoring.html#scoring" if request.htmx else "kanban/scoring.html"
    return render(request, template, context)


@require_POST
def epic_score_view(request, key: str):
    epic = get_object_or_404(Epic, key=key)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        raise PermissionDenied(EPIC_DENIED)
    query = request.POST.get("query", "")
    form = ScoreForm(request.POST)
    status, errors = 200, {}
    if form.is_valid():
        try:
            epic_score(user=request.user, epic=epic, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
    if form.errors:
        status, errors = 400, {epic.id: form.errors}
    if not request.htmx and status == 200:
        return redirect(f"{reverse('kanban-scoring')}?{query}" if query else reverse("kanban-scoring"))
    context = _scoring_context(request, query, errors=errors)
    template = "kanban/scoring.html#scoring" if request.htmx else "kanban/scoring.html"
    return render(request, template, context, status=status)


def epic_page(request, key: str):
    """Business case, WSJF, MMPs, dependencies, risks, transitions and the change history."""
    try:
        epic = epic_detail(key=key)
    except Epic.DoesNotExist as exc:
        raise Http404("No such epic.") from exc
    can_manage = can_manage_value_stream(request.user, epic.value_stream_id)
    return render(
        request,
        "kanban/epic.html",
        {
            "epic": epic,
            "transitions": epic_transitions(epic=epic),
            "changes": epic_history_changes(epic=epic),
            "can_manage": can_manage,
            "is_director": is_director(request.user),
            "move_form": MoveForm(initial={"version": epic.version}),
            "go_form": GoDecisionForm(),
            "states": EpicState.choices,
        },
    )


def _save_epic(request, *, epic: Epic | None):
    form = EpicForm(request.POST or None, instance=epic, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        themes = fields.pop("themes")
        try:
            if epic is None:
                epic = epic_create(user=request.user, themes=themes, **fields)
                messages.success(request, f"{epic.key} is in the funnel.")
            else:
                epic = epic_update(user=request.user, epic=epic, themes=themes, **fields)
                messages.success(request, f"{epic.key} saved.")
            return redirect("kanban-epic", key=epic.key)
        except ValidationError as exc:
            form_errors_from(form, exc)
    status = 400 if form.errors else 200
    return render(request, "kanban/epic_form.html", {"form": form, "epic": epic}, status=status)


def epic_new(request):
    if not (is_director(request.user) or managed_value_stream_ids(request.user)):
        raise PermissionDenied(EPIC_DENIED)
    return _save_epic(request, epic=None)


def epic_edit(request, key: str):
    epic = get_object_or_404(Epic, key=key)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        raise PermissionDenied(EPIC_DENIED)
    return _save_epic(request, epic=epic)


@require_POST
def epic_go_decision_view(request, key: str):
    epic = get_object_or_404(Epic, key=key)
    form = GoDecisionForm(request.POST)
    if form.is_valid():
        try:
            epic_go_decision_record(user=request.user, epic=epic, note=form.cleaned_data["note"])
            messages.success(request, "Go decision recorded.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Say why the epic should go ahead.")
    return redirect("kanban-epic", key=epic.key)
