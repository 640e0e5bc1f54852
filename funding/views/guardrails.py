"""The guardrails form on the quarter's funding page."""

from django.views.decorators.http import require_POST

from funding import services
from funding.forms import GuardrailForm
from funding.views.budgets import budget_or_404, panel_post


@require_POST
def guardrail_save(request, budget_id: int):
    budget = budget_or_404(budget_id)

    def write(data):
        fields = dict(data)
        reason = fields.pop("reason")
        return services.guardrail_set(user=request.user, budget=budget, reason=reason, **fields)

    return panel_post(
        request,
        budget.quarter,
        form=GuardrailForm(request.POST),
        write=write,
        error_key="guardrail",
        done_message="Guardrails saved.",
    )
