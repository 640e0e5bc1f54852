"""Funding scenarios: create, edit one value stream's amount, compare side by side, commit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from funding import services
from funding.forms import OptimiseForm, ReasonForm, ScenarioForm, ScenarioLineForm
from funding.models import QuarterBudget, Scenario
from funding.selectors.optimise import optimise_input_from_keys
from funding.selectors.scenarios import scenario_commit_changes, scenario_compare
from funding.services.common import require_director
from funding.views.budgets import funding_url
from funding.views.common import form_post, saved
from portfolio.models import ValueStream
from portfolio.permissions import can_manage_funding
from portfolio.selectors.base import quarter_from_code


def scenario_index(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    budget = QuarterBudget.objects.filter(quarter=quarter).first() if quarter else None
    form = ScenarioForm(request.POST or None)

    def page(_errors=()):
        scenarios = (
            list(Scenario.objects.filter(budget=budget).select_related("created_by", "committed_by")) if budget else []
        )
        ids = [int(x) for x in request.GET.getlist("ids") if x.isdecimal()]
        chosen = [s for s in scenarios if s.pk in ids][:6]
        context = {
            "quarter": quarter,
            "budget": budget,
            "scenarios": scenarios,
            "form": form,
            "chosen": chosen,
            "compare": scenario_compare(scenarios=chosen) if chosen else [],
            "can_fund": can_manage_funding(request.user),
        }
        return render(request, "funding/scenarios.html", context, status=400 if form.errors else 200)

    def write(data):
        if budget is None:
            raise ValidationError("This quarter has no budget yet.")
        return services.scenario_create(user=request.user, budget=budget, **data)

    if request.method != "POST":
        return page()
    require_director(request.user)
    return form_post(
        form=form,
        write=write,
        refused=page,
        done=lambda scenario: redirect("funding-scenario", scenario_id=scenario.pk),
    )


def scenario_detail(request, scenario_id: int):
    scenario = get_object_or_404(Scenario.objects.select_related("budget__quarter", "committed_by"), pk=scenario_id)

    def page(errors=()):
        rows = scenario_compare(scenarios=[scenario])
        context = {
            "scenario": scenario,
            "rows": rows,
            "error": " ".join(errors),
            "can_fund": can_manage_funding(request.user),
            "total": sum(r.cells[0].amount_cents for r in rows),
        }
        return render(request, "funding/scenario_detail.html", context, status=400 if errors else 200)

    def write(data):
        raw = request.POST.get("value_stream", "")
        value_stream = get_object_or_404(ValueStream, pk=int(raw) if raw.isdecimal() else 0)
        return services.scenario_line_set(
            user=request.user, scenario=scenario, value_stream=value_stream, amount_cents=data["amount"]
        )

    if request.method != "POST":
        return page()
    require_director(request.user)
    return form_post(
        form=ScenarioLineForm(request.POST),
        write=write,
        refused=page,
        done=lambda _: redirect("funding-scenario", scenario_id=scenario.pk),
    )


def scenario_commit(request, scenario_id: int):
    """Commit a scenario in two steps: first a page that names every allocation the commit
    replaces (GET, or a POST without `confirmed`), then the commit itself (POST `confirmed=1`)."""
    scenario = get_object_or_404(Scenario.objects.select_related("budget__quarter"), pk=scenario_id)
    quarter = scenario.budget.quarter
    require_director(request.user)

    def confirm(errors=()):
        changes = scenario_commit_changes(scenario=scenario)
        count = len(changes)
        summary = (
            f"Committing replaces {count} allocation{pluralize(count)} in {quarter.code}:"
            if count
            else f"Committing changes no allocation in {quarter.code}: the scenario matches them already."
        )
        context = {
            "heading": f"Commit scenario {scenario.name}?",
            "summary": summary,
            "changes": changes,
            "old_label": "Today",
            "new_label": "After the commit",
            "note": "Value streams the scenario does not name keep their allocation. On an approved budget "
            "the commit is recorded as one budget revision.",
            "action": reverse("funding-scenario-commit", args=[scenario.pk]),
            "with_reason": True,
            "reason": request.POST.get("reason", ""),
            "button": f"Commit: replace {count} allocation{pluralize(count)}",
            "cancel": reverse("funding-scenario", args=[scenario.pk]),
            "error": " ".join(errors),
        }
        return render(request, "funding/confirm.html", context, status=400 if errors else 200)

    if request.method != "POST" or not request.POST.get("confirmed"):
        return confirm()
    return form_post(
        form=ReasonForm(request.POST),
        write=lambda data: services.scenario_commit(user=request.user, scenario=scenario, reason=data["reason"]),
        refused=confirm,
        done=lambda _: saved(
            request, f"Scenario {scenario.name} is now the allocations of {quarter.code}.", funding_url(quarter)
        ),
    )


@require_POST
def scenario_optimise(request, scenario_id: int):
    """Optimise the scenario's quarter (the quarter's budget, capacity and guardrails) into a new
    scenario, shown with its comparison against WSJF order; refusals come back as a message."""
    scenario = get_object_or_404(Scenario.objects.select_related("budget__quarter"), pk=scenario_id)
    require_director(request.user)

    def refused(errors):
        messages.error(request, " ".join(errors))
        return redirect("funding-scenario", scenario_id=scenario.pk)

    def write(data):
        options = optimise_input_from_keys(budget_cents=data["budget"], pin_in=data["pin_in"], pin_out=data["pin_out"])
        return services.scenario_optimise(user=request.user, scenario=scenario, options=options)

    return form_post(
        form=OptimiseForm(request.POST),
        write=write,
        refused=refused,
        done=lambda optimised: redirect("funding-scenario", scenario_id=optimised.pk),
    )
