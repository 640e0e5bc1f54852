"""Funding pages: the quarter's budget and allocations, teams, spend, estimates and scenarios.

Views parse input, call one service or selector and render. HTMX requests get the page's named
partial back; every hx-* form also has a real action so the page works without JavaScript.
A service refusal (bad input, permission, closed budget) re-shows the form with the message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from funding import selectors, services
from funding.filters import SpendFilter
from funding.forms import (
    AllocationForm,
    BudgetForm,
    EstimateForm,
    GuardrailForm,
    ReasonForm,
    ScenarioForm,
    ScenarioLineForm,
    SpendForm,
    SpendImportForm,
    TeamForm,
    TransferForm,
)
from funding.models import QuarterBudget, Scenario, Spend, Team
from portfolio.models import Epic, Quarter, ValueStream
from portfolio.permissions import can_manage_funding, can_manage_value_stream, is_director, managed_value_stream_ids
from portfolio.selectors.base import quarter_from_code


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _funding_url(quarter: Quarter) -> str:
    return f"{reverse('funding-home')}?quarter={quarter.code}"


# --- the quarter page ------------------------------------------------------------------------------


def _render_home(request, quarter: Quarter, *, errors: dict | None = None, status: int = 200, partial: str = ""):
    overview = selectors.funding_overview(quarter=quarter, as_of=timezone.localdate())
    context = {
        "o": overview,
        "quarter": quarter,
        "can_fund": can_manage_funding(request.user),
        "error_key": next(iter(errors), None) if errors else None,
        "error": next(iter(errors.values()), "") if errors else "",
        "transfer_form": TransferForm(),
        "guardrail_form": GuardrailForm(
            initial={
                name: getattr(overview.guardrail, name)
                for name in GuardrailForm.base_fields
                if overview.guardrail is not None and hasattr(overview.guardrail, name)
            }
            or {
                "business_features_pct": 60,
                "enablers_pct": 20,
                "tech_debt_pct": 10,
                "ktlo_pct": 10,
                "drift_tolerance_pct": 5,
            }
        ),
    }
    template = "funding/home.html" + (f"#{partial}" if partial else "")
    return render(request, template, context, status=status)


def funding_home(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    if quarter is None:
        return render(request, "funding/no_quarter.html")
    return _render_home(request, quarter)


def _after_write(request, quarter: Quarter, *, error: str = "", error_key: str = "general"):
    """HTMX: the panel again (with the message if refused). Plain POST: redirect, or the page with the message."""
    if request.htmx:
        return _render_home(request, quarter, errors={error_key: error} if error else None, partial="panel")
    if error:
        return _render_home(request, quarter, errors={error_key: error}, status=400)
    return redirect(_funding_url(quarter))


@require_POST
def allocation_save(request, budget_id: int, value_stream_id: int):
    budget = get_object_or_404(QuarterBudget.objects.select_related("quarter"), pk=budget_id)
    value_stream = get_object_or_404(ValueStream, pk=value_stream_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may change allocations.")
    form = AllocationForm(request.POST)
    if not form.is_valid():
        return _after_write(
            request,
            budget.quarter,
            error=" ".join(m for ms in form.errors.values() for m in ms),
            error_key=value_stream.pk,
        )
    try:
        services.allocation_set(
            user=request.user,
            budget=budget,
            value_stream=value_stream,
            amount_cents=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, services.FundingConflict) as exc:
        return _after_write(request, budget.quarter, error=_error_text(exc), error_key=value_stream.pk)
    return _after_write(request, budget.quarter)


@require_POST
def allocation_transfer(request, budget_id: int):
    budget = get_object_or_404(QuarterBudget.objects.select_related("quarter"), pk=budget_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may move money.")
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _after_write(
            request, budget.quarter, error=" ".join(m for ms in form.errors.values() for m in ms), error_key="transfer"
        )
    try:
        services.allocation_transfer(
            user=request.user,
            budget=budget,
            source=form.cleaned_data["source"],
            target=form.cleaned_data["target"],
            amount_cents=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, services.FundingConflict) as exc:
        return _after_write(request, budget.quarter, error=_error_text(exc), error_key="transfer")
    return _after_write(request, budget.quarter)


@require_POST
def budget_save(request, quarter_id: int):
    quarter = get_object_or_404(Quarter, pk=quarter_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may change budgets.")
    form = BudgetForm(request.POST)
    if not form.is_valid():
        return _after_write(
            request, quarter, error=" ".join(m for ms in form.errors.values() for m in ms), error_key="budget"
        )
    budget = QuarterBudget.objects.filter(quarter=quarter).first()
    try:
        if budget is None:
            services.budget_create(user=request.user, quarter=quarter, total_cents=form.cleaned_data["total"])
        else:
            services.budget_total_set(
                user=request.user,
                budget=budget,
                total_cents=form.cleaned_data["total"],
                reason=form.cleaned_data["reason"],
            )
    except (ValidationError, services.FundingConflict) as exc:
        return _after_write(request, quarter, error=_error_text(exc), error_key="budget")
    return _after_write(request, quarter)


@require_POST
def budget_transition(request, budget_id: int, action: str):
    budget = get_object_or_404(QuarterBudget.objects.select_related("quarter"), pk=budget_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may approve or close budgets.")
    service = {"approve": services.budget_approve, "close": services.budget_close}.get(action)
    if service is None:
        return HttpResponse(status=404)
    try:
        service(user=request.user, budget=budget)
    except services.FundingConflict as exc:
        return _after_write(request, budget.quarter, error=str(exc), error_key="budget")
    return _after_write(request, budget.quarter)


@require_POST
def guardrail_save(request, budget_id: int):
    budget = get_object_or_404(QuarterBudget.objects.select_related("quarter"), pk=budget_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may change guardrails.")
    form = GuardrailForm(request.POST)
    if not form.is_valid():
        return _after_write(
            request, budget.quarter, error=" ".join(m for ms in form.errors.values() for m in ms), error_key="guardrail"
        )
    fields = dict(form.cleaned_data)
    reason = fields.pop("reason")
    try:
        services.guardrail_set(user=request.user, budget=budget, reason=reason, **fields)
    except (ValidationError, services.FundingConflict) as exc:
        return _after_write(request, budget.quarter, error=_error_text(exc), error_key="guardrail")
    return _after_write(request, budget.quarter)


# --- teams -----------------------------------------------------------------------------------------


def _writable_streams(user):
    if is_director(user):
        return ValueStream.objects.filter(active=True)
    return ValueStream.objects.filter(pk__in=managed_value_stream_ids(user), active=True)


def team_index(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    writable = _writable_streams(request.user)
    form = TeamForm(request.POST or None, value_streams=writable)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.team_create(user=request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"Team {data['name']} added.")
            return redirect(request.get_full_path())
    teams = selectors.team_list(quarter=quarter) if quarter else selectors.team_list()
    return render(
        request,
        "funding/teams.html",
        {"teams": teams, "quarter": quarter, "form": form, "can_add": writable.exists()},
        status=400 if form.errors else 200,
    )


def team_edit(request, team_id: int):
    team = get_object_or_404(Team.objects.select_related("value_stream"), pk=team_id)
    if not can_manage_value_stream(request.user, team.value_stream_id):
        return HttpResponseForbidden("Only managers of this value stream and VMO directors may change its teams.")
    initial = {
        "value_stream": team.value_stream,
        "name": team.name,
        "cost_per_sprint_cents": services.amount_text(team.cost_per_sprint_cents),
        "sprint_length_days": team.sprint_length_days,
        "headcount": team.headcount,
        "members": list(team.members.all()),
        "active": team.active,
    }
    form = TeamForm(request.POST or None, initial=initial, value_streams=_writable_streams(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(user=request.user, team=team, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"Team {team.name} saved.")
            return redirect("funding-teams")
    return render(request, "funding/team_edit.html", {"team": team, "form": form}, status=400 if form.errors else 200)


# --- spend -----------------------------------------------------------------------------------------


def spend_index(request):
    writable = _writable_streams(request.user)
    form = SpendForm(value_streams=writable)
    import_form = SpendImportForm()
    import_errors: list[str] = []
    status = 200
    if request.method == "POST" and "file" in request.FILES:
        import_form = SpendImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            result = services.spend_import_csv(user=request.user, data=import_form.cleaned_data["file"].read())
            if not result.errors:
                messages.success(request, f"Imported {result.created} spend rows.")
                return redirect("funding-spend")
            import_errors = result.errors
        status = 400
    elif request.method == "POST":
        form = SpendForm(request.POST, value_streams=writable)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.spend_record(
                    user=request.user,
                    value_stream=data["value_stream"],
                    month=data["month"],
                    amount_cents=data["amount"],
                    category=data["category"],
                    note=data["note"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, "Spend recorded.")
                return redirect("funding-spend")
        status = 400
    filterset = SpendFilter(request.GET, queryset=selectors.spend_list())
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/spend.html",
        {
            "filter": filterset,
            "page": page,
            "form": form,
            "import_form": import_form,
            "import_errors": import_errors,
            "can_record": writable.exists(),
            "managed_ids": managed_value_stream_ids(request.user),
            "is_director": is_director(request.user),
        },
        status=status,
    )


@require_POST
def spend_void(request, spend_id: int):
    spend = get_object_or_404(Spend, pk=spend_id)
    try:
        services.spend_void(user=request.user, spend=spend, reason=request.POST.get("reason", "")[:100])
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    except services.FundingConflict as exc:
        messages.warning(request, str(exc))
    return redirect("funding-spend")


def spend_export(request):
    """Spend as CSV; text cells that a spreadsheet would run as formulas are neutralised."""
    import csv

    filterset = SpendFilter(request.GET, queryset=selectors.spend_list())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="spend.csv"'
    writer = csv.writer(response)
    writer.writerow(["value_stream", "month", "amount", "category", "epic", "source", "note", "voided"])
    for spend in filterset.qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                services.neutralise_formula(spend.value_stream.slug),
                spend.month.strftime("%Y-%m"),
                services.amount_text(spend.amount_cents),
                spend.category,
                services.neutralise_formula(spend.epic.key if spend.epic else ""),
                services.neutralise_formula(spend.source),
                services.neutralise_formula(spend.note),
                "yes" if spend.voided_at else "",
            ]
        )
    return response


# --- estimates -------------------------------------------------------------------------------------


def estimate_index(request):
    raw = request.GET.get("value_stream", "")
    value_stream = raw if raw.isdecimal() else None
    epics = selectors.epic_estimates(value_stream_id=value_stream)
    return render(
        request,
        "funding/estimates.html",
        {"epics": epics, "value_streams": ValueStream.objects.filter(active=True), "selected": value_stream},
    )


def estimate_edit(request, epic_id: int):
    epic = get_object_or_404(Epic.objects.select_related("value_stream", "funding_estimate__team"), pk=epic_id)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        return HttpResponseForbidden("Only managers of this value stream and VMO directors may estimate its epics.")
    teams = Team.objects.filter(active=True).select_related("value_stream").order_by("value_stream__name", "name")
    form = EstimateForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            services.epic_estimate_set(
                user=request.user,
                epic=epic,
                amount_cents=form.cleaned_data["amount"],
                team=form.cleaned_data["team"],
                sprints=form.cleaned_data["sprints"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"Estimate of {epic.key} saved.")
            return redirect("funding-estimates")
    estimate = getattr(epic, "funding_estimate", None)
    return render(
        request,
        "funding/estimate_edit.html",
        {"epic": epic, "estimate": estimate, "form": form},
        status=400 if form.errors else 200,
    )


# --- scenarios -------------------------------------------------------------------------------------


def scenario_index(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    budget = QuarterBudget.objects.filter(quarter=quarter).first() if quarter else None
    form = ScenarioForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_funding(request.user):
            return HttpResponseForbidden("Only VMO directors may create scenarios.")
        if budget is None:
            form.add_error(None, "This quarter has no budget yet.")
        elif form.is_valid():
            try:
                scenario = services.scenario_create(user=request.user, budget=budget, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                return redirect("funding-scenario", scenario_id=scenario.pk)
    scenarios = (
        list(Scenario.objects.filter(budget=budget).select_related("created_by", "committed_by")) if budget else []
    )
    ids = [int(x) for x in request.GET.getlist("ids") if x.isdecimal()]
    chosen = [s for s in scenarios if s.pk in ids][:6]
    compare = selectors.scenario_compare(scenarios=chosen) if chosen else []
    return render(
        request,
        "funding/scenarios.html",
        {
            "quarter": quarter,
            "budget": budget,
            "scenarios": scenarios,
            "form": form,
            "chosen": chosen,
            "compare": compare,
            "can_fund": can_manage_funding(request.user),
        },
        status=400 if form.errors else 200,
    )


def scenario_detail(request, scenario_id: int):
    scenario = get_object_or_404(Scenario.objects.select_related("budget__quarter", "committed_by"), pk=scenario_id)
    error = ""
    if request.method == "POST":
        if not can_manage_funding(request.user):
            return HttpResponseForbidden("Only VMO directors may change scenarios.")
        raw = request.POST.get("value_stream", "")
        value_stream = get_object_or_404(ValueStream, pk=int(raw) if raw.isdecimal() else 0)
        form = ScenarioLineForm(request.POST)
        if form.is_valid():
            try:
                services.scenario_line_set(
                    user=request.user,
                    scenario=scenario,
                    value_stream=value_stream,
                    amount_cents=form.cleaned_data["amount"],
                )
            except (ValidationError, services.FundingConflict) as exc:
                error = _error_text(exc)
            else:
                return redirect("funding-scenario", scenario_id=scenario.pk)
        else:
            error = " ".join(m for ms in form.errors.values() for m in ms)
    rows = selectors.scenario_compare(scenarios=[scenario])
    return render(
        request,
        "funding/scenario_detail.html",
        {
            "scenario": scenario,
            "rows": rows,
            "error": error,
            "can_fund": can_manage_funding(request.user),
            "total": sum(r.cells[0].amount_cents for r in rows),
        },
        status=400 if error else 200,
    )


@require_POST
def scenario_commit(request, scenario_id: int):
    scenario = get_object_or_404(Scenario.objects.select_related("budget__quarter"), pk=scenario_id)
    if not can_manage_funding(request.user):
        return HttpResponseForbidden("Only VMO directors may commit scenarios.")
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.scenario_commit(user=request.user, scenario=scenario, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, services.FundingConflict) as exc:
        messages.error(request, _error_text(exc))
        return redirect("funding-scenario", scenario_id=scenario.pk)
    messages.success(request, f"Scenario {scenario.name} is now the allocations of {scenario.budget.quarter.code}.")
    return redirect(_funding_url(scenario.budget.quarter))
