"""Pages of the portfolio Kanban: the board, the scoring page, the epic page and its forms.

Each view parses input, calls one service or selector and renders; htmx requests get the named
partial of the same template.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.history import page_as_of
from funding.selectors.economics import epic_economics
from kanban.forms import (
    BenefitForm,
    BenefitMeasurementForm,
    EpicForm,
    GateDecisionForm,
    GoDecisionForm,
    MilestoneForm,
    MilestoneProgressForm,
    MoveForm,
    MvpEvaluationForm,
    PhaseForecastForm,
    PhaseForm,
    ProjectPlanForm,
    ScoreForm,
    form_errors_from,
)
from kanban.selectors import (
    CARDS_PER_COLUMN,
    board_columns,
    board_columns_as_of,
    epic_cumulative_flow,
    epic_project,
    epic_time_to_value,
    epic_transitions,
)
from kanban.services import MoveConflict, MoveRefused, epic_move, mvp_evaluation_record
from portfolio.filters.epics import EpicAsOfFilter, EpicFilter
from portfolio.models import EPIC_FLOW, Epic, EpicState, Milestone, ProjectPhase, StageGate
from portfolio.models.epics import WSJF_INPUTS
from portfolio.permissions import (
    can_manage_value_stream,
    can_record_risks_and_dependencies,
    is_director,
    managed_value_stream_ids,
)
from portfolio.selectors.benefits import benefits_of_epic, measurements_of_epic
from portfolio.selectors.epics import (
    epic_detail,
    epic_history_changes,
    epic_list,
    scoring_column_warnings,
)
from portfolio.selectors.forecasts import epic_forecast, epic_forecast_items
from portfolio.selectors.history import epic_as_of, epics_as_of
from portfolio.services.benefits import benefit_create, benefit_measurement_record
from portfolio.services.epics import DENIED as EPIC_DENIED
from portfolio.services.epics import epic_create, epic_go_decision_record, epic_score, epic_update
from portfolio.services.projects import (
    milestone_create,
    milestone_update,
    phase_create,
    phase_update,
    project_plan_create,
    project_plan_update,
    stage_gate_decide,
)


def _board_context(request, query_string: str, *, errors=(), moved=None, as_of=None):
    from django.http import QueryDict

    params = QueryDict(query_string)
    if as_of is not None:
        # The board as it stood: history rows, filtered the same way, nothing writable.
        history = epics_as_of(day=as_of)
        filterset = EpicAsOfFilter(params, queryset=history)
        epics = filterset.qs if filterset.is_valid() else history.none()
    else:
        filterset = EpicFilter(params, queryset=Epic.objects.all())
        epics = filterset.qs if filterset.is_valid() else Epic.objects.none()
    value_stream = filterset.form.cleaned_data.get("value_stream") if filterset.is_valid() else None
    read_columns = board_columns_as_of if as_of is not None else board_columns
    # `?show=<state>` opens one column past its first cards (an unknown state opens none).
    show = params.get("show") or None
    columns = read_columns(epics=epics, value_stream_id=value_stream.id if value_stream else None, show=show)
    unshown = params.copy()
    unshown.pop("show", None)
    if as_of is None:
        _with_p85(columns)
    return {
        "filter": filterset,
        "as_of": as_of,
        "as_of_enabled": True,
        "columns": columns,
        "states": EpicState.choices,
        # The board's script reads the forward order from here (the one home is EPIC_FLOW).
        "flow": ",".join(EPIC_FLOW),
        "query": query_string,
        # The filters without `show`: each column's "Show all" / "Show fewer" link adds its own.
        "unshown_query": unshown.urlencode(),
        "column_cut": CARDS_PER_COLUMN,
        # Cards link to "<epic_url><key>/" (and move through "<key>/move/"): one reverse()
        # for the page rather than two per card.
        "epic_url": reverse("kanban-epic", args=["KEY"]).removesuffix("KEY/"),
        "managed_ids": set() if as_of else managed_value_stream_ids(request.user),
        "is_director": False if as_of else is_director(request.user),
        "errors": errors,
        "moved": moved,
    }


def _with_p85(columns) -> None:
    """The implementing cards carry their forecast P85 date (one query, from the cached forecast)."""
    cards = [card for column in columns if column.state == EpicState.IMPLEMENTING for card in column.cards]
    if not cards:
        return
    forecasts = epic_forecast_items(epic_ids=[card.id for card in cards])
    for card in cards:
        item = forecasts.get(card.id)
        card.forecast_p85 = item.p85 if item else None


def board(request):
    """The portfolio Kanban at /kanban/: columns ranked by WSJF, filters shared with the API."""
    context = _board_context(request, request.GET.urlencode(), as_of=page_as_of(request))
    template = "kanban/board.html#board" if request.htmx else "kanban/board.html"
    return render(request, template, context)


# The longest period the flow page draws: two years of days is already a dense chart.
FLOW_MAX_DAYS = 731
FLOW_DEFAULT_DAYS = 90


def _flow_period(request) -> tuple[dt.date, dt.date]:
    """`?from=&to=` of the flow page (default: the last 90 days to today); bad dates, a reversed
    or too long period are a 400."""
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        start = (
            dt.date.fromisoformat(request.GET["from"])
            if request.GET.get("from")
            else end - dt.timedelta(days=FLOW_DEFAULT_DAYS)
        )
    except ValueError:
        raise BadRequest("from and to are dates (YYYY-MM-DD).") from None
    if end < start:
        raise BadRequest("to must not be before from.")
    if (end - start).days >= FLOW_MAX_DAYS:
        raise BadRequest(f"Choose a period of at most {FLOW_MAX_DAYS} days.")
    return start, end


def flow(request):
    """Cumulative flow of the portfolio Kanban's epics, all value streams, over a chosen period."""
    start, end = _flow_period(request)
    cfd = epic_cumulative_flow(start=start, end=end)
    return render(
        request,
        "kanban/flow.html",
        {
            "start": start,
            "end": end,
            "cfd": cfd,
            "at_end": [(band["label"], band["counts"][-1]) for band in cfd["states"]],
        },
    )


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
    """Save one row's WSJF inputs. By htmx the answer is only out-of-band figures (that row's cost
    of delay and WSJF, every row's rank, the column warnings): nothing the user may be choosing
    in is replaced, so quick successive choices are all kept."""
    epic = get_object_or_404(Epic, key=key)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        raise PermissionDenied(EPIC_DENIED)
    query = request.POST.get("query", "")
    form = ScoreForm(request.POST)
    status, errors = 200, {}
    if form.is_valid():
        # Only the inputs sent: a post of one column must not clear the others.
        scores = {name: value for name, value in form.cleaned_data.items() if name in request.POST}
        try:
            epic = epic_score(user=request.user, epic=epic, **scores)
        except ValidationError as exc:
            form_errors_from(form, exc)
    if form.errors:
        status, errors = 400, {epic.id: form.errors}
    if not request.htmx and status == 200:
        return redirect(f"{reverse('kanban-scoring')}?{query}" if query else reverse("kanban-scoring"))
    context = _scoring_context(request, query, errors=errors)
    if not request.htmx:
        return render(request, "kanban/scoring.html", context, status=status)
    return render(request, "kanban/scoring.html#row_saved", {**context, "saved": epic}, status=status)


def _epic_page(request, epic: Epic, *, status: int = 200, as_of=None, **forms):
    """The epic page; the benefit and MVP forms come back with their errors when a POST failed.
    As of a past day it shows the epic's history row, read-only, without today's economics."""
    can_manage = can_manage_value_stream(request.user, epic.value_stream_id) and not as_of
    return render(
        request,
        "kanban/epic.html",
        {
            "as_of": as_of,
            "as_of_enabled": True,
            "epic": epic,
            "transitions": epic_transitions(epic=epic),
            "changes": epic_history_changes(epic=epic),
            "can_manage": can_manage,
            # Risks and dependencies: program managers record them too (portfolio.permissions).
            "can_record": can_record_risks_and_dependencies(request.user, epic.value_stream_id) and not as_of,
            "is_director": is_director(request.user) and not as_of,
            "move_form": MoveForm(initial={"version": epic.version}),
            "go_form": GoDecisionForm(),
            "states": EpicState.choices,
            **({} if as_of else _epic_today(epic, forms)),
        },
        status=status,
    )


def _epic_today(epic: Epic, forms: dict) -> dict:
    """What only today's epic has: its forecast, economics, benefits and MVP evaluations, and
    the forms that change them (none of it is history-tracked, so an as-of page leaves it out)."""
    project = epic_project(epic=epic, today=timezone.localdate())
    return {
        "forecast": epic_forecast(epic_id=epic.id),
        "economics": epic_economics(epic_id=epic.id, as_of=timezone.localdate()),
        "time_to_value": epic_time_to_value(epic_id=epic.id),
        # the key result's title, by the link's reverse name (kanban may not import okrs)
        "benefits": benefits_of_epic(epic=epic).annotate(key_result_title=F("key_result_link__key_result__title")),
        "measurements": measurements_of_epic(epic=epic)[:20],
        "evaluations": epic.mvp_evaluations.select_related("mmp", "decided_by"),
        "benefit_form": forms.get("benefit_form") or BenefitForm(epic=epic),
        "measurement_form": forms.get("measurement_form") or BenefitMeasurementForm(epic=epic),
        "mvp_form": forms.get("mvp_form") or MvpEvaluationForm(epic=epic),
        "project": project,
        "gate_form": GateDecisionForm(),
        **(_project_forms(epic, project, forms) if project else {}),
    }


def _project_forms(epic: Epic, project, forms: dict) -> dict:
    """The project section's forms (the template shows them to managers only); a failed POST's
    bound form comes back with its errors, a row form with the id of the row it was for."""
    plan = project.plan
    initial = (
        {"baseline_budget_cents": plan.baseline_budget_cents, "sponsor": plan.sponsor_id, "ev_method": plan.ev_method}
        if plan
        else {}
    )
    return {
        "plan_form": forms.get("plan_form") or ProjectPlanForm(epic=epic, initial=initial),
        "phase_form": forms.get("phase_form") or PhaseForm(epic=epic),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(epic=epic, phases=project.phases),
        "phase_forecast_form": forms.get("phase_forecast_form"),
        "milestone_progress_form": forms.get("milestone_progress_form"),
    }


def epic_page(request, key: str):
    """Business case, WSJF, economics, benefits, MVP evaluation, MMPs, dependencies, risks,
    transitions and the change history; `?as_of=` shows the epic as it stood that day."""
    as_of = page_as_of(request)
    try:
        epic = epic_as_of(key=key, day=as_of) if as_of else epic_detail(key=key)
    except Epic.DoesNotExist as exc:
        raise Http404("No such epic (then).") from exc
    return _epic_page(request, epic, as_of=as_of)


def _epic_form_post(request, key: str, form_class, form_name: str, action, done: str, *, anchor="", row_id=None):
    """Parse the form, call the service (it is the permission gate: a refusal is a 403 and
    nothing is written), redirect; bad input shows the page again with the errors (400).
    `row_id` marks which row of a table a per-row form's errors belong to."""
    epic = get_object_or_404(Epic, key=key)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may change it.")
    form = form_class(request.POST, epic=epic)
    form.row_id = row_id
    if form.is_valid():
        try:
            action(epic, form.cleaned_data)
            messages.success(request, done)
            return redirect(reverse("kanban-epic", args=[epic.key]) + anchor)
        except ValidationError as exc:
            form_errors_from(form, exc)
        except MoveRefused as exc:
            form.add_error(None, " ".join(exc.conditions))
    return _epic_page(request, epic_detail(key=epic.key), status=400, **{form_name: form})


@require_POST
def epic_benefit_add(request, key: str):
    def action(epic, data):
        benefit_create(user=request.user, epic=epic, **data)

    return _epic_form_post(request, key, BenefitForm, "benefit_form", action, "Benefit recorded.")


@require_POST
def epic_measurement_add(request, key: str):
    def action(epic, data):
        benefit_measurement_record(user=request.user, **data)

    return _epic_form_post(request, key, BenefitMeasurementForm, "measurement_form", action, "Measurement recorded.")


@require_POST
def epic_mvp_evaluate(request, key: str):
    def action(epic, data):
        mvp_evaluation_record(
            user=request.user,
            epic_id=epic.id,
            mmp_id=data["mmp"].id,
            result=data["result"],
            evidence=data["evidence"],
            decision=data["decision"],
            reason=data["reason"],
        )

    return _epic_form_post(request, key, MvpEvaluationForm, "mvp_form", action, "MVP evaluation recorded.")


@require_POST
def epic_project_plan_view(request, key: str):
    """Baseline the project (first time) or change its plan: budget, sponsor, EV method."""

    def action(epic, data):
        plan = epic.project if hasattr(epic, "project") else None
        if plan is None:
            project_plan_create(user=request.user, epic=epic, **data)
        else:
            project_plan_update(user=request.user, plan=plan, **data)

    return _epic_form_post(
        request, key, ProjectPlanForm, "plan_form", action, "Project plan saved.", anchor="#epic-project"
    )


@require_POST
def epic_phase_add_view(request, key: str):
    def action(epic, data):
        phase_create(user=request.user, epic=epic, **data)

    return _epic_form_post(request, key, PhaseForm, "phase_form", action, "Phase added.", anchor="#epic-project")


@require_POST
def epic_phase_forecast_view(request, key: str, phase_id: int):
    """Move a phase's forecast dates (the baseline stays)."""
    phase = get_object_or_404(ProjectPhase, id=phase_id, epic__key=key)

    def action(epic, data):
        phase_update(user=request.user, phase=phase, **data)

    return _epic_form_post(
        request,
        key,
        PhaseForecastForm,
        "phase_forecast_form",
        action,
        f"{phase.name}: forecast moved.",
        anchor="#epic-project",
        row_id=phase.id,
    )


@require_POST
def epic_milestone_add_view(request, key: str):
    def action(epic, data):
        milestone_create(user=request.user, epic=epic, **data)

    return _epic_form_post(
        request, key, MilestoneForm, "milestone_form", action, "Milestone added.", anchor="#epic-project"
    )


@require_POST
def epic_milestone_progress_view(request, key: str, milestone_id: int):
    """Move a milestone's forecast date or record the day it was completed (blank: not yet)."""
    milestone = get_object_or_404(Milestone, id=milestone_id, epic__key=key)

    def action(epic, data):
        milestone_update(user=request.user, milestone=milestone, **data)

    return _epic_form_post(
        request,
        key,
        MilestoneProgressForm,
        "milestone_progress_form",
        action,
        f"{milestone.name} saved.",
        anchor="#epic-project",
        row_id=milestone.id,
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


@require_POST
def epic_gate_decide_view(request, key: str, gate_id: int):
    """Approve or reject a stage gate of a project; the service is the gate (director or sponsor:
    403 and nothing written for anyone else)."""
    epic = get_object_or_404(Epic, key=key)
    gate = get_object_or_404(StageGate, id=gate_id, epic_id=epic.id)
    form = GateDecisionForm(request.POST)
    if form.is_valid():
        try:
            stage_gate_decide(user=request.user, gate_id=gate.id, **form.cleaned_data)
            messages.success(request, f"{gate.name} gate {form.cleaned_data['decision']}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Choose approve or reject (a rejection needs a note).")
    return redirect(f"{reverse('kanban-epic', args=[epic.key])}#epic-project")
