"""Writes for funding scenarios: what-if copies of a budget's allocations, edited, then committed.

Directors only. Committing locks the budget like any allocation write (see `budgets`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from funding.models import Allocation, QuarterBudget, Scenario, ScenarioLine
from funding.services.common import (
    FundingConflict,
    allocation_since,
    audit,
    check_open,
    lock_budget,
    require_director,
    revision_for,
)
from portfolio.models import ValueStream
from portfolio.money import cents_to_text, format_amount
from portfolio.services.base import rollup_due_mark
from portfolio.services.events import EventType, events_record


@transaction.atomic
def scenario_create(*, user, budget: QuarterBudget, name: str, note: str = "") -> Scenario:
    """A named copy of the budget's current allocations, one line per active value stream."""
    require_director(user)
    scenario = Scenario(budget=budget, name=name, note=note, created_by=user)
    scenario.full_clean()
    audit(scenario, user=user)
    scenario.save()
    current = dict(Allocation.objects.filter(budget=budget).values_list("value_stream_id", "amount_cents"))
    stream_ids = set(ValueStream.objects.filter(active=True).values_list("id", flat=True)) | set(current)
    lines = [
        ScenarioLine(scenario=scenario, value_stream_id=vs_id, amount_cents=current.get(vs_id, 0))
        for vs_id in sorted(stream_ids)
    ]
    bulk_create_with_history(lines, ScenarioLine, default_user=user)
    return scenario


@transaction.atomic
def scenario_line_set(*, user, scenario: Scenario, value_stream: ValueStream, amount_cents: int) -> ScenarioLine:
    """Edit one value stream's amount in a scenario (a scenario may exceed the total until committed)."""
    require_director(user)
    if scenario.committed_at is not None:
        raise FundingConflict("This scenario was committed; copy it into a new one to edit.")
    line = ScenarioLine.objects.filter(scenario=scenario, value_stream=value_stream).first() or ScenarioLine(
        scenario=scenario, value_stream=value_stream
    )
    line.amount_cents = amount_cents
    line.full_clean()
    audit(line, user=user)
    line.save()
    return line


@transaction.atomic
def scenario_commit(*, user, scenario: Scenario, reason: str = "") -> Scenario:
    """Make a scenario's amounts the budget's allocations, all or nothing, audited.

    Locks the budget, checks the scenario's sum fits the total, then sets every allocation
    (streams absent from the scenario keep theirs). On an approved budget this is one revision.
    """
    require_director(user)
    budget = lock_budget(scenario.budget_id)
    check_open(budget)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.committed_at is not None:
        raise FundingConflict("This scenario is already committed.")
    lines = dict(scenario.lines.values_list("value_stream_id", "amount_cents"))
    current = dict(Allocation.objects.filter(budget=budget).values_list("value_stream_id", "amount_cents"))
    planned = {**current, **lines}
    total = sum(planned.values())
    if total > budget.total_cents:
        raise ValidationError(
            {
                "amount": (
                    f"The scenario allocates {format_amount(total)} but the budget is "
                    f"{format_amount(budget.total_cents)}: {format_amount(total - budget.total_cents)} too much."
                )
            }
        )
    reason = (reason or "").strip() or f"Scenario {scenario.name} committed"
    revision_for(budget, user=user, reason=reason)
    changed = []
    events = []
    existing = {a.value_stream_id: a for a in Allocation.objects.filter(budget=budget, value_stream_id__in=lines)}
    for vs_id, amount in sorted(lines.items()):
        allocation = existing.get(vs_id)
        if allocation is not None and allocation.amount_cents == amount:
            continue
        if allocation is None:
            if amount == 0:
                continue
            allocation = Allocation(budget=budget, value_stream_id=vs_id)
        old_cents = allocation.amount_cents if allocation.pk else None
        allocation.amount_cents = amount
        allocation.full_clean()
        audit(allocation, user=user, reason=reason)
        allocation.save()
        changed.append(vs_id)
        events.append(
            {
                "allocation": allocation.pk,
                "budget": budget.pk,
                "quarter": budget.quarter_id,
                "value_stream": vs_id,
                "old_amount": None if old_cents is None else cents_to_text(old_cents),
                "amount": cents_to_text(amount),
                "by": user.pk,
                "reason": reason,
                "scenario": scenario.pk,
            }
        )
    scenario.committed_by, scenario.committed_at = user, timezone.now()
    audit(scenario, user=user, reason="committed")
    scenario.save()
    rollup_due_mark(value_stream_ids=changed, since=allocation_since(budget))
    events_record(event_type=EventType.ALLOCATION_CHANGED, payloads=events)
    return scenario
