"""Demo investment mix: the current quarter's committed epics spread over the investment types
close to the guardrail, with one real drift (technical debt 9 points over plan, the others a few
points under, within the 5-point tolerance), so the funding page flags one line, not every one.

The epic seeder types epics business or enabler only, which put every guardrail line in drift.
Here the current quarter's epics in the portfolio backlog or implementing are dealt, largest
estimate first, to the type furthest below its target share (one read, one bulk update).
Deterministic, so idempotent: the same estimates give the same types.
"""

from django.db import transaction

from funding.models import Guardrail
from funding.selectors.guardrails import MIX_FIELDS
from portfolio.models import Epic, EpicState, InvestmentType

# Percentage points added to the guardrail's plan for the demo's actual mix: one drift beyond the
# tolerance, the rest within it (the shifts sum to zero).
SHIFT = {
    InvestmentType.BUSINESS_FEATURES: -3,
    InvestmentType.ENABLERS: -3,
    InvestmentType.TECH_DEBT: 9,
    InvestmentType.KEEP_THE_LIGHTS_ON: -3,
}


@transaction.atomic
def seed_guardrail_mix(ctx) -> None:
    quarter = ctx.quarters["current"]
    guardrail = Guardrail.objects.filter(budget__quarter=quarter).first()
    if guardrail is None:
        return
    target = {kind: getattr(guardrail, field) + SHIFT[kind] for kind, field in MIX_FIELDS}
    epics = list(
        Epic.objects.funded_in(quarter, current=quarter)
        .filter(
            value_stream__in=ctx.value_streams,
            state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING],
            estimated_cost_cents__isnull=False,
        )
        .order_by("-estimated_cost_cents", "key")
        .only("id", "estimated_cost_cents", "investment_type")
    )
    grand = sum(e.estimated_cost_cents for e in epics)
    assigned = dict.fromkeys(target, 0)
    for epic in epics:
        # The type furthest below its target amount (ties: the order of MIX_FIELDS).
        kind = max(target, key=lambda k: target[k] * grand - 100 * assigned[k])
        assigned[kind] += epic.estimated_cost_cents
        epic.investment_type = kind
    Epic.objects.bulk_update(epics, ["investment_type"], batch_size=500)
