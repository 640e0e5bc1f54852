"""Who changed a budget, its allocations and guardrails, with old and new values (simple-history)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.history import history_as_of
from funding.models import Allocation, Guardrail, QuarterBudget
from portfolio.money import format_amount
from portfolio.people import display_name


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    what: str
    old: str
    new: str
    reason: str


def budget_history(*, budget: QuarterBudget, limit: int = 50) -> list[HistoryRow]:
    """Who changed the budget and its allocations, when, old and new value (simple-history).

    Three queries: the budget's, the allocations' and the guardrails' historical rows; the
    previous value of each row comes from a subquery, not a query per row.
    """
    alloc_history = Allocation.history.model
    prev_amount = Subquery(
        alloc_history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("amount_cents")[:1],
        output_field=BigIntegerField(),
    )
    alloc_rows = (
        alloc_history.objects.filter(budget_id=budget.pk)
        .select_related("history_user", "value_stream")
        .annotate(prev_amount=prev_amount)
        .order_by("-history_id")[:limit]
    )
    budget_history_model = QuarterBudget.history.model
    prev_total = Subquery(
        budget_history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("total_cents")[:1],
        output_field=BigIntegerField(),
    )
    prev_status = Subquery(
        budget_history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("status")[:1]
    )
    budget_rows = (
        budget_history_model.objects.filter(id=budget.pk)
        .select_related("history_user")
        .annotate(prev_total=prev_total, prev_status=prev_status)
        .order_by("-history_id")[:limit]
    )
    guardrail_rows = (
        Guardrail.history.model.objects.filter(budget_id=budget.pk)
        .select_related("history_user")
        .order_by("-history_id")[:limit]
    )
    rows = []
    for h in guardrail_rows:
        mix = f"{h.business_features_pct}/{h.enablers_pct}/{h.tech_debt_pct}/{h.ktlo_pct}"
        threshold = format_amount(h.approval_threshold_cents) if h.approval_threshold_cents is not None else "none"
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what="Guardrails (features/enablers/debt/KTLO, threshold)",
                old="",
                new=f"{mix}, {threshold}",
                reason=h.history_change_reason or "",
            )
        )
    for h in alloc_rows:
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what=f"Allocation {h.value_stream.name}",
                old=format_amount(h.prev_amount) if h.prev_amount is not None else "—",
                new=format_amount(h.amount_cents),
                reason=h.history_change_reason or "",
            )
        )
    for h in budget_rows:
        old = []
        if h.prev_total is not None and h.prev_total != h.total_cents:
            old.append(format_amount(h.prev_total))
        if h.prev_status and h.prev_status != h.status:
            old.append(h.prev_status)
        rows.append(
            HistoryRow(
                when=h.history_date,
                who=_who(h.history_user),
                what="Budget",
                old=", ".join(old) or ("—" if h.history_type == "+" else ""),
                new=f"{format_amount(h.total_cents)}, {h.status}",
                reason=h.history_change_reason or "",
            )
        )
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]


def _who(user) -> str:
    if user is None:
        return "system"
    return display_name(user)


# --- as of a date (see core.history) ---------------------------------------------------------


def allocations_as_of(*, day: dt.date):
    """Allocations as they stood at the end of `day` (history rows; one query)."""
    return history_as_of(Allocation, day=day)


def budgets_as_of(*, day: dt.date):
    """Budgets as they stood at the end of `day`, with `allocated_cents` and `unallocated_cents`
    summed by the database over the allocations as they stood then (a correlated subquery)."""
    allocated = Coalesce(
        Subquery(
            allocations_as_of(day=day)
            .filter(budget_id=OuterRef("id"))
            .order_by()
            .values("budget_id")
            .annotate(total=Sum("amount_cents"))
            .values("total"),
            output_field=BigIntegerField(),
        ),
        Value(0),
    )
    return (
        history_as_of(QuarterBudget, day=day)
        .annotate(allocated_cents=allocated)
        .annotate(unallocated_cents=F("total_cents") - F("allocated_cents"))
    )


def allocation_drift(*, start: dt.datetime, end: dt.datetime):
    """Allocations moved in (start, end], with who, when and why."""
    from core.history import history_changes

    rows = Allocation.history.model.objects.select_related("value_stream", "budget__quarter")
    return history_changes(
        Allocation,
        start=start,
        end=end,
        fields=["amount_cents"],
        label="{row.value_stream.name} in {row.budget.quarter.code}",
        queryset=rows,
        shown={"amount_cents": ("amount", format_amount)},
    )


def allocations_history(*, quarter) -> list:
    """Every change of the quarter's allocations, by allocation then oldest first, labelled with
    the value stream's name (`portfolio.history` entries): one query, for the export's sheet."""
    from portfolio.history import entries_of_many, history_rows_for

    rows = history_rows_for(
        Allocation, objects=Allocation.objects.filter(budget__quarter=quarter), related=("value_stream",)
    )
    return [(entry.record.value_stream.name, entry) for entry in entries_of_many(Allocation, rows)]
