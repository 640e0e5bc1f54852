"""The quarter's funding page: budget, allocations, transfers and burn; its writes re-render the panel.

HTMX requests get the page's `panel` partial back; every hx-* form also has a real action, so a
plain POST redirects back to the quarter (or shows the page with the message, 400).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.history import page_as_of
from funding import services
from funding.forms import AllocationForm, BudgetForm, GuardrailForm, TransferForm
from funding.models import Guardrail, QuarterBudget
from funding.selectors import funding_overview
from funding.selectors.budgets import budget_allocations
from funding.services.common import require_director
from funding.views.common import form_post, saved
from portfolio.models import Quarter, ValueStream
from portfolio.money import format_amount
from portfolio.permissions import can_manage_funding
from portfolio.selectors.base import quarter_from_code


def funding_url(quarter: Quarter) -> str:
    return f"{reverse('funding-home')}?quarter={quarter.code}"


def render_home(
    request,
    quarter: Quarter,
    *,
    error: str = "",
    error_key="general",
    status: int = 200,
    partial="",
    as_of=None,
    saved: str = "",
):
    overview = funding_overview(quarter=quarter, as_of=as_of or timezone.localdate(), past=as_of is not None)
    # No guardrail yet: an unsaved one carries the model's defaults for the form.
    guardrail = overview.guardrail or Guardrail()
    context = {
        "o": overview,
        "quarter": quarter,
        "can_fund": can_manage_funding(request.user) and as_of is None,
        "as_of": as_of,
        "as_of_enabled": True,
        "error_key": error_key if error else None,
        "error": error,
        "saved": saved,  # an htmx save's message, swapped into the page's message region
        "transfer_form": TransferForm(),
        "guardrail_form": GuardrailForm(
            initial={name: getattr(guardrail, name) for name in GuardrailForm.base_fields if hasattr(guardrail, name)}
        ),
    }
    template = "funding/home.html" + (f"#{partial}" if partial else "")
    return render(request, template, context, status=status)


def panel_post(request, quarter: Quarter, *, form, write, error_key="general", done_message="Saved."):
    """A write on the quarter page (directors only): HTMX gets the panel again, with the message
    if refused or `done_message` if saved; a plain POST is redirected back with `done_message`,
    or shown the page with the refusal (400)."""
    require_director(request.user)

    def refused(errors):
        if request.htmx:
            return render_home(request, quarter, error=" ".join(errors), error_key=error_key, partial="panel")
        return render_home(request, quarter, error=" ".join(errors), error_key=error_key, status=400)

    def done(_result):
        if request.htmx:
            return render_home(request, quarter, partial="panel", saved=done_message)
        messages.success(request, done_message)
        return redirect(funding_url(quarter))

    return form_post(form=form, write=write, refused=refused, done=done)


def budget_or_404(budget_id: int) -> QuarterBudget:
    return get_object_or_404(QuarterBudget.objects.select_related("quarter"), pk=budget_id)


def funding_home(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    if quarter is None:
        return render(request, "funding/no_quarter.html")
    return render_home(request, quarter, as_of=page_as_of(request))


@require_POST
def budget_save(request, quarter_id: int):
    quarter = get_object_or_404(Quarter, pk=quarter_id)

    def write(data):
        budget = QuarterBudget.objects.filter(quarter=quarter).first()
        if budget is None:
            return services.budget_create(user=request.user, quarter=quarter, total_cents=data["total"])
        return services.budget_total_set(
            user=request.user, budget=budget, total_cents=data["total"], reason=data["reason"]
        )

    return panel_post(
        request,
        quarter,
        form=BudgetForm(request.POST),
        write=write,
        error_key="budget",
        done_message=f"Budget of {quarter.code} saved.",
    )


@require_POST
def budget_approve(request, budget_id: int):
    """Approve a draft budget (directors only); a close goes through `budget_close`'s confirm step."""
    budget = budget_or_404(budget_id)

    def write(_data):
        return services.budget_approve(user=request.user, budget=budget)

    return panel_post(
        request,
        budget.quarter,
        form=None,
        write=write,
        error_key="budget",
        done_message=f"Budget of {budget.quarter.code} approved.",
    )


def budget_close(request, budget_id: int):
    """Close a quarter's budget in two steps: a page that names what freezes (the total and every
    allocation), then the close itself (POST `confirmed=1`). Directors only."""
    budget = budget_or_404(budget_id)
    require_director(request.user)
    quarter = budget.quarter

    def confirm(errors=()):
        allocations = budget_allocations(budget=budget)
        count = len(allocations)
        context = {
            "heading": f"Close the budget of {quarter.code}?",
            "summary": f"Closing freezes the budget of {quarter.code}: its total of "
            f"{format_amount(budget.total_cents)} and these {count} allocation{pluralize(count)} can no longer change.",
            "changes": allocations,
            "old_label": "Allocated",
            "new_label": "Frozen at",
            "note": "Spend can still be recorded against the quarter; the allocations stay as they are.",
            "action": reverse("funding-budget-close", args=[budget.pk]),
            "with_reason": False,
            "button": f"Close the {quarter.code} budget",
            "cancel": funding_url(quarter),
            "error": " ".join(errors),
        }
        return render(request, "funding/confirm.html", context, status=409 if errors else 200)

    if request.method != "POST" or not request.POST.get("confirmed"):
        return confirm()
    return form_post(
        form=None,
        write=lambda _data: services.budget_close(user=request.user, budget=budget),
        refused=confirm,
        done=lambda _: saved(
            request, f"The budget of {quarter.code} is closed; its figures are frozen.", funding_url(quarter)
        ),
    )


@require_POST
def allocation_save(request, budget_id: int, value_stream_id: int):
    budget = budget_or_404(budget_id)
    value_stream = get_object_or_404(ValueStream, pk=value_stream_id)

    def write(data):
        return services.allocation_set(
            user=request.user,
            budget=budget,
            value_stream=value_stream,
            amount_cents=data["amount"],
            reason=data["reason"],
        )

    return panel_post(
        request,
        budget.quarter,
        form=AllocationForm(request.POST),
        write=write,
        error_key=value_stream.pk,
        done_message=f"Allocation of {value_stream.name} saved.",
    )


@require_POST
def allocation_transfer(request, budget_id: int):
    budget = budget_or_404(budget_id)

    def write(data):
        return services.allocation_transfer(
            user=request.user,
            budget=budget,
            source=data["source"],
            target=data["target"],
            amount_cents=data["amount"],
            reason=data["reason"],
        )

    return panel_post(
        request,
        budget.quarter,
        form=TransferForm(request.POST),
        write=write,
        error_key="transfer",
        done_message="Money moved between the value streams.",
    )
