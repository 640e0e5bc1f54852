"""Writes for budgets and allocations, and the Kanban's funding override.

Money rules (DESIGN.md section 3):
- every allocation write locks the budget row (`select_for_update`) and re-checks
  `sum(allocations) <= total` inside the same transaction. On PostgreSQL the row lock serialises
  concurrent writers of one budget; on SQLite `select_for_update` is a no-op but the IMMEDIATE
  transaction mode (settings) takes the database write lock at BEGIN, which serialises them too.
- an approved budget changes only through a `BudgetRevision` carrying the reason, which is also
  the simple-history change reason of the rows it touches; a closed budget is frozen.
- nothing financial is deleted: allocations go to zero.
Every write that changes a value stream's figures marks it for a rollup in the same transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from funding.models import Allocation, BudgetStatus, FundingOverride, QuarterBudget
from funding.selectors.room import funding_quarter
from funding.services.common import (
    FundingConflict,
    allocated_cents,
    allocation_since,
    audit,
    check_open,
    current_amount,
    lock_budget,
    require_director,
    revision_for,
)
from portfolio.models import Epic, Quarter, ValueStream
from portfolio.money import cents_to_text, format_amount
from portfolio.services.base import rollup_due_mark
from portfolio.services.events import EventType, event_record

# --- budgets -------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, user, quarter: Quarter, total_cents: int) -> QuarterBudget:
    """The portfolio budget of a quarter, as a draft."""
    require_director(user)
    budget = QuarterBudget(quarter=quarter, total_cents=total_cents)
    budget.full_clean()
    audit(budget, user=user, reason="created")
    budget.save()
    return budget


@transaction.atomic
def budget_total_set(*, user, budget: QuarterBudget, total_cents: int, reason: str = "") -> QuarterBudget:
    """Change a budget's total; never below what is already allocated."""
    require_director(user)
    budget = lock_budget(budget.pk)
    check_open(budget)
    allocated = allocated_cents(budget.pk)
    if total_cents < allocated:
        raise ValidationError(
            {"total": f"{format_amount(allocated)} is already allocated; the total cannot be lower than that."}
        )
    revision_for(budget, user=user, reason=reason)
    budget.total_cents = total_cents
    budget.full_clean()
    audit(budget, user=user, reason=reason)
    budget.save()
    return budget


@transaction.atomic
def budget_approve(*, user, budget: QuarterBudget) -> QuarterBudget:
    """Draft -> approved: from now on changes need a revision with a reason."""
    require_director(user)
    budget = lock_budget(budget.pk)
    if budget.status != BudgetStatus.DRAFT:
        raise FundingConflict(f"Only a draft budget can be approved; this one is {budget.status}.")
    budget.status = BudgetStatus.APPROVED
    budget.approved_by = user
    budget.approved_at = timezone.now()
    audit(budget, user=user, reason="approved")
    budget.save()
    _budget_event(EventType.BUDGET_APPROVED, budget, user)
    return budget


@transaction.atomic
def budget_close(*, user, budget: QuarterBudget) -> QuarterBudget:
    """Approved -> closed: the budget and its allocations are frozen."""
    require_director(user)
    budget = lock_budget(budget.pk)
    if budget.status != BudgetStatus.APPROVED:
        raise FundingConflict(f"Only an approved budget can be closed; this one is {budget.status}.")
    budget.status = BudgetStatus.CLOSED
    audit(budget, user=user, reason="closed")
    budget.save()
    _budget_event(EventType.BUDGET_CLOSED, budget, user)
    return budget


def _budget_event(event_type: str, budget: QuarterBudget, user) -> None:
    event_record(
        event_type=event_type,
        payload={
            "budget": budget.pk,
            "quarter": budget.quarter_id,
            "total": cents_to_text(budget.total_cents),
            "status": budget.status,
            "by": user.pk,
        },
    )


# --- allocations ---------------------------------------------------------------------------------


@transaction.atomic
def allocation_set(
    *,
    user,
    budget: QuarterBudget,
    value_stream: ValueStream,
    amount_cents: int,
    note: str | None = None,
    reason: str = "",
) -> Allocation:
    """Set a value stream's allocation in a budget (creating it the first time).

    Locks the budget row, then re-checks that the other allocations plus this amount fit in the
    total. An over-allocation raises a ValidationError naming the headroom and writes nothing.
    """
    require_director(user)
    if amount_cents < 0:
        raise ValidationError({"amount": "Amount cannot be negative."})
    budget = lock_budget(budget.pk)
    check_open(budget)
    others = allocated_cents(budget.pk, exclude_value_stream_id=value_stream.pk)
    headroom = budget.total_cents - others
    if amount_cents > headroom:
        raise ValidationError(
            {
                "amount": (
                    f"Over-allocation: at most {format_amount(headroom)} is available for {value_stream.name} "
                    f"({format_amount(budget.total_cents - others - current_amount(budget.pk, value_stream.pk))} "
                    f"unallocated); nothing was changed."
                )
            }
        )
    allocation = Allocation.objects.filter(budget=budget, value_stream=value_stream).first()
    if allocation is not None and allocation.amount_cents == amount_cents and (note is None or note == allocation.note):
        return allocation
    revision_for(budget, user=user, reason=reason)
    old_cents = None if allocation is None else allocation.amount_cents
    if allocation is None:
        allocation = Allocation(budget=budget, value_stream=value_stream)
    allocation.amount_cents = amount_cents
    if note is not None:
        allocation.note = note
    allocation.full_clean()
    audit(allocation, user=user, reason=reason)
    allocation.save()
    rollup_due_mark(value_stream_ids=[value_stream.pk], since=allocation_since(budget))
    event_record(
        event_type=EventType.ALLOCATION_CHANGED,
        payload={
            "allocation": allocation.pk,
            "budget": budget.pk,
            "quarter": budget.quarter_id,
            "value_stream": value_stream.pk,
            "old_amount": None if old_cents is None else cents_to_text(old_cents),
            "amount": cents_to_text(amount_cents),
            "by": user.pk,
            "reason": reason,
        },
    )
    return allocation


@transaction.atomic
def allocation_transfer(
    *, user, budget: QuarterBudget, source: ValueStream, target: ValueStream, amount_cents: int, reason: str = ""
) -> tuple[Allocation, Allocation]:
    """Move money from one value stream's allocation to another's; the total allocated is unchanged."""
    require_director(user)
    if amount_cents <= 0:
        raise ValidationError({"amount": "Move a positive amount."})
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose a different value stream to move the money to."})
    budget = lock_budget(budget.pk)
    check_open(budget)
    available = current_amount(budget.pk, source.pk)
    if amount_cents > available:
        raise ValidationError({"amount": f"{source.name} has only {format_amount(available)} allocated."})
    # Both calls run inside this transaction and re-lock the (already locked) budget row.
    taken = allocation_set(
        user=user, budget=budget, value_stream=source, amount_cents=available - amount_cents, reason=reason
    )
    given = allocation_set(
        user=user,
        budget=budget,
        value_stream=target,
        amount_cents=current_amount(budget.pk, target.pk) + amount_cents,
        reason=reason,
    )
    return taken, given


# --- the Kanban's funding override ---------------------------------------------------------------


@transaction.atomic
def funding_override_record(*, user, epic: Epic, reason: str, quarter: Quarter | None = None) -> FundingOverride:
    """A director lets an epic into implementing without funding room, with the reason on record.

    The quarter is the one whose allocation is overridden: by default the quarter that funds the
    epic (`funding_quarter`), the same one `funding_room` checked.
    """
    require_director(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for overriding the funding room."})
    if quarter is None:
        quarter = funding_quarter(epic=epic)
    override = FundingOverride(epic=epic, quarter=quarter, reason=reason, created_by=user)
    override.full_clean()
    override.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return override
