"""Writes for a budget's guardrails: capacity allocation by investment type, horizon mix,
approval threshold and drift tolerance. Defaults for a new guardrail are the model's field defaults."""

from django.core.exceptions import ValidationError
from django.db import transaction

from funding.models import Guardrail, QuarterBudget
from funding.services.common import audit, check_open, lock_budget, require_director

GUARDRAIL_FIELDS = (
    "business_features_pct",
    "enablers_pct",
    "tech_debt_pct",
    "ktlo_pct",
    "horizon_h0_pct",
    "horizon_h1_pct",
    "horizon_h2_pct",
    "horizon_h3_pct",
    "approval_threshold_cents",
    "drift_tolerance_pct",
    "cost_tolerance_pct",
)


@transaction.atomic
def guardrail_set(*, user, budget: QuarterBudget, reason: str = "", **fields) -> Guardrail:
    """Create or change a budget's guardrails; percentages must sum to 100 (capacity and horizon)."""
    require_director(user)
    budget = lock_budget(budget.pk)
    check_open(budget)
    unknown = set(fields) - set(GUARDRAIL_FIELDS)
    if unknown:
        raise ValidationError({"detail": f"Unknown guardrail fields: {', '.join(sorted(unknown))}."})
    guardrail = Guardrail.objects.filter(budget=budget).first() or Guardrail(budget=budget)
    for name, value in fields.items():
        setattr(guardrail, name, value)
    capacity = [guardrail.business_features_pct, guardrail.enablers_pct, guardrail.tech_debt_pct, guardrail.ktlo_pct]
    if sum(capacity) != 100:
        raise ValidationError({"business_features_pct": f"Capacity percentages sum to {sum(capacity)}, not 100."})
    horizon = [guardrail.horizon_h0_pct, guardrail.horizon_h1_pct, guardrail.horizon_h2_pct, guardrail.horizon_h3_pct]
    if any(p is not None for p in horizon):
        if any(p is None for p in horizon):
            raise ValidationError({"horizon_h0_pct": "Give all four horizon percentages or none."})
        if sum(horizon) != 100:
            raise ValidationError({"horizon_h0_pct": f"Horizon percentages sum to {sum(horizon)}, not 100."})
    if guardrail.drift_tolerance_pct is not None and guardrail.drift_tolerance_pct > 100:
        raise ValidationError({"drift_tolerance_pct": "The tolerance is a percentage between 0 and 100."})
    guardrail.full_clean()
    audit(guardrail, user=user, reason=reason)
    guardrail.save()
    return guardrail
