"""Reads for guardrails: planned vs actual investment mix, and the approval threshold the Kanban asks for."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from funding.models import Guardrail
from funding.selectors.room import funding_quarter
from portfolio.models import Epic, EpicState, InvestmentType, Quarter

MIX_FIELDS = (
    (InvestmentType.BUSINESS_FEATURES, "business_features_pct"),
    (InvestmentType.ENABLERS, "enablers_pct"),
    (InvestmentType.TECH_DEBT, "tech_debt_pct"),
    (InvestmentType.KEEP_THE_LIGHTS_ON, "ktlo_pct"),
)


@dataclass(frozen=True)
class MixRow:
    investment_type: str
    label: str
    planned_pct: int
    actual_cents: int
    actual_pct: Decimal | None
    drift: bool


def guardrail_mix(*, quarter: Quarter, guardrail: Guardrail | None, current: Quarter | None = None) -> list[MixRow]:
    """Planned vs actual capacity allocation by investment type, with drift flagged.

    Actual = each investment type's share of the cost estimates of the quarter's epics in the
    portfolio backlog or implementing (the work the money is committed to), grouped in the
    database. An epic belongs to the quarter it targets, or to the current quarter when it
    targets none (`Epic.objects.funded_in`; `current` when the caller has it). Drift:
    |actual - planned| > the guardrail's tolerance (percentage points).
    """
    sums = dict(
        Epic.objects.funded_in(quarter, current=current)
        .filter(
            state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING],
            estimated_cost_cents__isnull=False,
        )
        .order_by()
        .values("investment_type")
        .annotate(total=Sum("estimated_cost_cents"))
        .values_list("investment_type", "total")
    )
    grand = sum(sums.values())
    tolerance = guardrail.drift_tolerance_pct if guardrail else 0
    rows = []
    for kind, field in MIX_FIELDS:
        planned = getattr(guardrail, field) if guardrail else 0
        cents = sums.get(kind, 0)
        actual = (Decimal(cents) * 100 / Decimal(grand)).quantize(Decimal("0.1")) if grand else None
        drift = guardrail is not None and actual is not None and abs(actual - planned) > tolerance
        rows.append(MixRow(kind, InvestmentType(kind).label, planned, cents, actual, drift))
    return rows


def approval_threshold_cents(*, epic: Epic) -> int | None:
    """Epics estimated above this need a director's go decision to enter the portfolio backlog.

    The threshold is the guardrail of the budget of the quarter that funds the epic; None when
    that quarter has no budget or guardrail (then no threshold applies).
    """
    quarter = funding_quarter(epic=epic)
    if quarter is None:
        return None
    return Guardrail.objects.filter(budget__quarter=quarter).values_list("approval_threshold_cents", flat=True).first()


def guardrail_drift(*, quarter: Quarter) -> list[MixRow]:
    """The investment types of `quarter` whose actual share strays beyond its guardrail's
    tolerance (none without a guardrail; notifications and the VMO sync agenda ask for these).
    Two queries: the guardrail, then the mix."""
    guardrail = Guardrail.objects.filter(budget__quarter=quarter).first()
    if guardrail is None:
        return []
    return [row for row in guardrail_mix(quarter=quarter, guardrail=guardrail) if row.drift]
