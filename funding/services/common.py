"""What every funding write shares: the permission gates, the budget lock, the audit trail.

The permission gates raise `PermissionDenied`; every service calls one of them first, so the
services are the one place that decides who may change money (pages and API translate the
refusal). Pages ask the same gate before reading a form, so a forbidden user gets 403 whatever
the form holds.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.db.models.functions import Coalesce

from funding.models import Allocation, BudgetRevision, BudgetStatus, QuarterBudget
from portfolio.permissions import can_manage_funding, can_manage_value_stream


class FundingConflict(Exception):
    """The change conflicts with the state of the budget (closed, or a wrong transition): 409."""


def require_director(user) -> None:
    """Budgets, allocations, guardrails and scenarios are the directors' alone."""
    if not can_manage_funding(user):
        raise PermissionDenied("Only VMO directors may change budgets, allocations, guardrails and scenarios.")


def require_stream_manager(user, value_stream_id: int | None) -> None:
    """Teams, estimates and spend of a value stream: its managers and the directors."""
    if not can_manage_value_stream(user, value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may change it.")


def audit(instance, *, user, reason: str = "") -> None:
    """Who and why for the simple-history row the next save() writes."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]


def lock_budget(budget_id: int) -> QuarterBudget:
    # `of=("self",)` locks only the budget row, not the joined quarter.
    return QuarterBudget.objects.select_for_update(of=("self",)).select_related("quarter").get(pk=budget_id)


def allocated_cents(budget_id: int, *, exclude_value_stream_id: int | None = None) -> int:
    rows = Allocation.objects.filter(budget_id=budget_id)
    if exclude_value_stream_id is not None:
        rows = rows.exclude(value_stream_id=exclude_value_stream_id)
    return rows.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]


def check_open(budget: QuarterBudget) -> None:
    if budget.status == BudgetStatus.CLOSED:
        raise FundingConflict(f"The budget of {budget.quarter.code} is closed; its figures are frozen.")


def revision_for(budget: QuarterBudget, *, user, reason: str) -> BudgetRevision | None:
    """An approved budget changes only with a reason, recorded as a revision."""
    if budget.status != BudgetStatus.APPROVED:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "The budget is approved: give a reason for this revision."})
    revision = BudgetRevision(budget=budget, reason=reason, created_by=user)
    revision.full_clean()
    revision.save()
    return revision


def current_amount(budget_id: int, value_stream_id: int) -> int:
    return (
        Allocation.objects.filter(budget_id=budget_id, value_stream_id=value_stream_id)
        .values_list("amount_cents", flat=True)
        .first()
        or 0
    )


def allocation_since(budget: QuarterBudget):
    """The day an allocation change is about, for the rollup outbox: the closing day of a quarter
    that has ended (its closing snapshot, which "then and now" reads, shows the revised amount;
    the days before keep what was allocated then), else None (today's figures)."""
    from django.utils import timezone

    end = budget.quarter.end
    return end if end < timezone.localdate() else None
