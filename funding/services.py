"""Writes for funding: budgets, allocations, guardrails, teams, estimates, spend and scenarios.

Money rules (DESIGN.md section 3):
- every allocation write locks the budget row (`select_for_update`) and re-checks
  `sum(allocations) <= total` inside the same transaction. On PostgreSQL the row lock serialises
  concurrent writers of one budget; on SQLite `select_for_update` is a no-op but the IMMEDIATE
  transaction mode (settings) takes the database write lock at BEGIN, which serialises them too.
- an approved budget changes only through a `BudgetRevision` carrying the reason, which is also
  the simple-history change reason of the rows it touches; a closed budget is frozen.
- nothing financial is deleted: spend is voided, allocations go to zero.
Every write that changes a value stream's figures marks it for a rollup in the same transaction.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from funding.models import (
    Allocation,
    BudgetRevision,
    BudgetStatus,
    EpicEstimate,
    FundingOverride,
    Guardrail,
    QuarterBudget,
    Scenario,
    ScenarioLine,
    Spend,
    SpendCategory,
    Team,
)
from portfolio.models import Epic, Quarter, ValueStream
from portfolio.money import cents_to_decimal, decimal_to_cents, format_amount, parse_amount
from portfolio.permissions import can_manage_funding, can_manage_value_stream
from portfolio.services.base import rollup_due_mark


class FundingConflict(Exception):
    """The change conflicts with the state of the budget (closed, or a wrong transition): 409."""


def _require_director(user) -> None:
    if not can_manage_funding(user):
        raise PermissionDenied("Only VMO directors may change budgets, allocations, guardrails and scenarios.")


def _require_stream_manager(user, value_stream_id: int) -> None:
    if not can_manage_value_stream(user, value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may change it.")


def _audit(instance, *, user, reason: str = "") -> None:
    """Who and why for the simple-history row the next save() writes."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]


def _lock_budget(budget_id: int) -> QuarterBudget:
    # `of=("self",)` locks only the budget row, not the joined quarter.
    return QuarterBudget.objects.select_for_update(of=("self",)).select_related("quarter").get(pk=budget_id)


def _allocated_cents(budget_id: int, *, exclude_value_stream_id: int | None = None) -> int:
    rows = Allocation.objects.filter(budget_id=budget_id)
    if exclude_value_stream_id is not None:
        rows = rows.exclude(value_stream_id=exclude_value_stream_id)
    return rows.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]


def _check_open(budget: QuarterBudget) -> None:
    if budget.status == BudgetStatus.CLOSED:
        raise FundingConflict(f"The budget of {budget.quarter.code} is closed; its figures are frozen.")


def _revision_for(budget: QuarterBudget, *, user, reason: str) -> BudgetRevision | None:
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


# --- budgets -------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, user, quarter: Quarter, total_cents: int) -> QuarterBudget:
    """The portfolio budget of a quarter, as a draft."""
    _require_director(user)
    budget = QuarterBudget(quarter=quarter, total_cents=total_cents)
    budget.full_clean()
    _audit(budget, user=user, reason="created")
    budget.save()
    return budget


@transaction.atomic
def budget_total_set(*, user, budget: QuarterBudget, total_cents: int, reason: str = "") -> QuarterBudget:
    """Change a budget's total; never below what is already allocated."""
    _require_director(user)
    budget = _lock_budget(budget.pk)
    _check_open(budget)
    allocated = _allocated_cents(budget.pk)
    if total_cents < allocated:
        raise ValidationError(
            {"total": f"{format_amount(allocated)} is already allocated; the total cannot be lower than that."}
        )
    _revision_for(budget, user=user, reason=reason)
    budget.total_cents = total_cents
    budget.full_clean()
    _audit(budget, user=user, reason=reason)
    budget.save()
    return budget


@transaction.atomic
def budget_approve(*, user, budget: QuarterBudget) -> QuarterBudget:
    """Draft -> approved: from now on changes need a revision with a reason."""
    _require_director(user)
    budget = _lock_budget(budget.pk)
    if budget.status != BudgetStatus.DRAFT:
        raise FundingConflict(f"Only a draft budget can be approved; this one is {budget.status}.")
    budget.status = BudgetStatus.APPROVED
    budget.approved_by = user
    budget.approved_at = timezone.now()
    _audit(budget, user=user, reason="approved")
    budget.save()
    return budget


@transaction.atomic
def budget_close(*, user, budget: QuarterBudget) -> QuarterBudget:
    """Approved -> closed: the budget and its allocations are frozen."""
    _require_director(user)
    budget = _lock_budget(budget.pk)
    if budget.status != BudgetStatus.APPROVED:
        raise FundingConflict(f"Only an approved budget can be closed; this one is {budget.status}.")
    budget.status = BudgetStatus.CLOSED
    _audit(budget, user=user, reason="closed")
    budget.save()
    return budget


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
    _require_director(user)
    if amount_cents < 0:
        raise ValidationError({"amount": "Amount cannot be negative."})
    budget = _lock_budget(budget.pk)
    _check_open(budget)
    others = _allocated_cents(budget.pk, exclude_value_stream_id=value_stream.pk)
    headroom = budget.total_cents - others
    if amount_cents > headroom:
        raise ValidationError(
            {
                "amount": (
                    f"Over-allocation: at most {format_amount(headroom)} is available for {value_stream.name} "
                    f"({format_amount(budget.total_cents - others - _current_amount(budget.pk, value_stream.pk))} "
                    f"unallocated); nothing was changed."
                )
            }
        )
    allocation = Allocation.objects.filter(budget=budget, value_stream=value_stream).first()
    if allocation is not None and allocation.amount_cents == amount_cents and (note is None or note == allocation.note):
        return allocation
    _revision_for(budget, user=user, reason=reason)
    if allocation is None:
        allocation = Allocation(budget=budget, value_stream=value_stream)
    allocation.amount_cents = amount_cents
    if note is not None:
        allocation.note = note
    allocation.full_clean()
    _audit(allocation, user=user, reason=reason)
    allocation.save()
    rollup_due_mark(value_stream_ids=[value_stream.pk])
    return allocation


def _current_amount(budget_id: int, value_stream_id: int) -> int:
    return (
        Allocation.objects.filter(budget_id=budget_id, value_stream_id=value_stream_id)
        .values_list("amount_cents", flat=True)
        .first()
        or 0
    )


@transaction.atomic
def allocation_transfer(
    *, user, budget: QuarterBudget, source: ValueStream, target: ValueStream, amount_cents: int, reason: str = ""
) -> tuple[Allocation, Allocation]:
    """Move money from one value stream's allocation to another's; the total allocated is unchanged."""
    _require_director(user)
    if amount_cents <= 0:
        raise ValidationError({"amount": "Move a positive amount."})
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose a different value stream to move the money to."})
    budget = _lock_budget(budget.pk)
    _check_open(budget)
    available = _current_amount(budget.pk, source.pk)
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
        amount_cents=_current_amount(budget.pk, target.pk) + amount_cents,
        reason=reason,
    )
    return taken, given


# --- guardrails ----------------------------------------------------------------------------------

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
)


@transaction.atomic
def guardrail_set(*, user, budget: QuarterBudget, reason: str = "", **fields) -> Guardrail:
    """Create or change a budget's guardrails; percentages must sum to 100 (capacity and horizon)."""
    _require_director(user)
    budget = _lock_budget(budget.pk)
    _check_open(budget)
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
    _audit(guardrail, user=user, reason=reason)
    guardrail.save()
    return guardrail


# --- teams and estimates -------------------------------------------------------------------------


@transaction.atomic
def team_create(*, user, value_stream: ValueStream, name: str, cost_per_sprint_cents: int, **fields) -> Team:
    """A fixed-cost team of a value stream (its managers and directors may add one)."""
    _require_stream_manager(user, value_stream.pk)
    members = fields.pop("members", None)
    team = Team(value_stream=value_stream, name=name, cost_per_sprint_cents=cost_per_sprint_cents, **fields)
    team.full_clean()
    _audit(team, user=user)
    team.save()
    if members is not None:
        team.members.set(members)
    rollup_due_mark(value_stream_ids=[value_stream.pk])
    return team


@transaction.atomic
def team_update(*, user, team: Team, **fields) -> Team:
    """Change a team; moving it to another stream needs the right on both streams."""
    _require_stream_manager(user, team.value_stream_id)
    members = fields.pop("members", None)
    old_stream = team.value_stream_id
    for name, value in fields.items():
        setattr(team, name, value)
    _require_stream_manager(user, team.value_stream_id)
    team.full_clean()
    _audit(team, user=user)
    team.save()
    if members is not None:
        team.members.set(members)
    rollup_due_mark(value_stream_ids=[old_stream, team.value_stream_id])
    return team


@transaction.atomic
def epic_estimate_set(
    *, user, epic: Epic, amount_cents: int | None = None, team: Team | None = None, sprints: int | None = None
) -> EpicEstimate:
    """An epic's top-down estimate, as money or as N sprints of a team (then money = N x cost per sprint).

    Keeps `Epic.estimated_cost_cents` equal to the estimate, in the same transaction.
    """
    _require_stream_manager(user, epic.value_stream_id)
    if team is not None or sprints is not None:
        if team is None or not sprints:
            raise ValidationError({"sprints": "Give both a team and a number of sprints (at least 1)."})
        if not team.active:
            raise ValidationError({"team": f"{team.name} is not active."})
        amount_cents = sprints * team.cost_per_sprint_cents
    elif amount_cents is None:
        raise ValidationError({"amount": "Give an amount or a number of sprints of a team."})
    if amount_cents < 0:
        raise ValidationError({"amount": "Amount cannot be negative."})
    estimate = EpicEstimate.objects.filter(epic=epic).first() or EpicEstimate(epic=epic)
    estimate.team, estimate.sprints, estimate.amount_cents, estimate.updated_by = team, sprints, amount_cents, user
    estimate.full_clean()
    _audit(estimate, user=user)
    estimate.save()
    epic = Epic.objects.select_for_update().get(pk=epic.pk)
    epic.estimated_cost_cents = amount_cents
    _audit(epic, user=user, reason="cost estimate")
    epic.save(update_fields=["estimated_cost_cents", "updated_at"])
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return estimate


# --- spend ---------------------------------------------------------------------------------------


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def spend_record(
    *,
    user,
    value_stream: ValueStream,
    month: dt.date,
    amount_cents: int,
    category: str = SpendCategory.LABOUR,
    epic: Epic | None = None,
    source: str = "manual",
    note: str = "",
) -> Spend:
    """Record actual spend of a value stream in a month (its managers and directors)."""
    _require_stream_manager(user, value_stream.pk)
    if epic is not None and epic.value_stream_id != value_stream.pk:
        raise ValidationError({"epic": f"{epic.key} belongs to another value stream."})
    spend = Spend(
        value_stream=value_stream,
        month=_first_of_month(month),
        amount_cents=amount_cents,
        category=category,
        epic=epic,
        source=source,
        note=neutralise_formula(note),
        created_by=user,
    )
    spend.full_clean()
    _audit(spend, user=user)
    spend.save()
    rollup_due_mark(value_stream_ids=[value_stream.pk])
    return spend


@transaction.atomic
def spend_void(*, user, spend: Spend, reason: str = "") -> Spend:
    """Void a spend row (a correction); the row stays, excluded from every figure."""
    spend = Spend.objects.select_for_update().get(pk=spend.pk)
    _require_stream_manager(user, spend.value_stream_id)
    if spend.voided_at is not None:
        raise FundingConflict("This spend row is already void.")
    spend.voided_at, spend.voided_by = timezone.now(), user
    _audit(spend, user=user, reason=reason or "voided")
    spend.save()
    rollup_due_mark(value_stream_ids=[spend.value_stream_id])
    return spend


# CSV import of spend: the limits are checked before parsing; the whole file is validated, and
# either every row is written or none.
SPEND_CSV_MAX_BYTES = 1_000_000
SPEND_CSV_MAX_ROWS = 5_000
SPEND_CSV_COLUMNS = ("value_stream", "month", "amount", "category", "epic", "note")
SPEND_CSV_REQUIRED = ("value_stream", "month", "amount")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_formula(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (ASVS 1.2.10)."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@dataclass
class SpendImportResult:
    created: int
    errors: list[str]


def _parse_month(text: str) -> dt.date:
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValidationError("month must look like 2026-07 or 2026-07-01")


def spend_import_csv(*, user, data: bytes, source: str = "csv") -> SpendImportResult:
    """Import spend rows from CSV bytes. All or nothing: any bad row means nothing is written.

    Columns: value_stream (slug), month (YYYY-MM), amount (plain, two decimals at most),
    category (labour, licences, infrastructure, other; default labour), epic (key, optional),
    note (optional). Errors name the line number in the file (the header is line 1).
    """
    if len(data) > SPEND_CSV_MAX_BYTES:
        return SpendImportResult(0, [f"The file is larger than {SPEND_CSV_MAX_BYTES:,} bytes."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return SpendImportResult(0, ["The file is not UTF-8 text."])
    if text.count("\n") > SPEND_CSV_MAX_ROWS + 1:
        return SpendImportResult(0, [f"The file has more than {SPEND_CSV_MAX_ROWS:,} rows."])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in SPEND_CSV_REQUIRED if name not in header]
    unknown = [name for name in header if name not in SPEND_CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(neutralise_formula(n) for n in unknown)}")
        return SpendImportResult(0, [f"Line 1: {'; '.join(parts)} (expected {', '.join(SPEND_CSV_COLUMNS)})."])
    reader.fieldnames = header

    streams = {vs.slug: vs for vs in ValueStream.objects.all()}
    rows: list[tuple[int, dict]] = []
    epic_keys: set[str] = set()
    errors: list[str] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append(f"Line {line}: more cells than columns.")
            continue
        cells = {k: (v or "").strip() for k, v in record.items()}
        if not any(cells.values()):
            continue
        rows.append((line, cells))
        if cells.get("epic"):
            epic_keys.add(cells["epic"])
    epics = {e.key: e for e in Epic.objects.filter(key__in=epic_keys)}

    spends: list[Spend] = []
    for line, cells in rows:
        problems = []
        value_stream = streams.get(cells["value_stream"])
        if value_stream is None:
            problems.append(f"unknown value stream {neutralise_formula(cells['value_stream'])!r}")
        elif not can_manage_value_stream(user, value_stream.pk):
            problems.append(f"you may not record spend for {value_stream.name}")
        try:
            month = _parse_month(cells["month"])
        except ValidationError as exc:
            problems.append(exc.messages[0])
            month = None
        try:
            amount_cents = decimal_to_cents(parse_amount(cells["amount"]))
        except ValidationError as exc:
            problems.append(f"amount: {exc.messages[0]}")
            amount_cents = None
        category = cells.get("category") or SpendCategory.LABOUR
        if category not in SpendCategory.values:
            problems.append(f"category must be one of {', '.join(SpendCategory.values)}")
        epic = None
        if cells.get("epic"):
            epic = epics.get(cells["epic"])
            if epic is None:
                problems.append(f"unknown epic {neutralise_formula(cells['epic'])!r}")
            elif value_stream is not None and epic.value_stream_id != value_stream.pk:
                problems.append(f"epic {epic.key} belongs to another value stream")
        note = cells.get("note", "")
        if len(note) > 499:
            problems.append("note is longer than 499 characters")
        if problems:
            errors.append(f"Line {line}: {'; '.join(problems)}.")
            continue
        spends.append(
            Spend(
                value_stream=value_stream,
                month=month,
                amount_cents=amount_cents,
                category=category,
                epic=epic,
                source=source,
                note=neutralise_formula(note),
                created_by=user,
            )
        )
    if errors:
        return SpendImportResult(0, errors)
    if not spends:
        return SpendImportResult(0, ["The file has no rows."])
    with transaction.atomic():
        bulk_create_with_history(spends, Spend, default_user=user, default_change_reason="CSV import")
        rollup_due_mark(value_stream_ids={s.value_stream_id for s in spends})
    return SpendImportResult(len(spends), [])


# --- scenarios -----------------------------------------------------------------------------------


@transaction.atomic
def scenario_create(*, user, budget: QuarterBudget, name: str, note: str = "") -> Scenario:
    """A named copy of the budget's current allocations, one line per active value stream."""
    _require_director(user)
    scenario = Scenario(budget=budget, name=name, note=note, created_by=user)
    scenario.full_clean()
    _audit(scenario, user=user)
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
    _require_director(user)
    if scenario.committed_at is not None:
        raise FundingConflict("This scenario was committed; copy it into a new one to edit.")
    line = ScenarioLine.objects.filter(scenario=scenario, value_stream=value_stream).first() or ScenarioLine(
        scenario=scenario, value_stream=value_stream
    )
    line.amount_cents = amount_cents
    line.full_clean()
    _audit(line, user=user)
    line.save()
    return line


@transaction.atomic
def scenario_commit(*, user, scenario: Scenario, reason: str = "") -> Scenario:
    """Make a scenario's amounts the budget's allocations, all or nothing, audited.

    Locks the budget, checks the scenario's sum fits the total, then sets every allocation
    (streams absent from the scenario keep theirs). On an approved budget this is one revision.
    """
    _require_director(user)
    budget = _lock_budget(scenario.budget_id)
    _check_open(budget)
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
    _revision_for(budget, user=user, reason=reason)
    changed = []
    existing = {a.value_stream_id: a for a in Allocation.objects.filter(budget=budget, value_stream_id__in=lines)}
    for vs_id, amount in sorted(lines.items()):
        allocation = existing.get(vs_id)
        if allocation is not None and allocation.amount_cents == amount:
            continue
        if allocation is None:
            if amount == 0:
                continue
            allocation = Allocation(budget=budget, value_stream_id=vs_id)
        allocation.amount_cents = amount
        allocation.full_clean()
        _audit(allocation, user=user, reason=reason)
        allocation.save()
        changed.append(vs_id)
    scenario.committed_by, scenario.committed_at = user, timezone.now()
    _audit(scenario, user=user, reason="committed")
    scenario.save()
    rollup_due_mark(value_stream_ids=changed)
    return scenario


# --- the Kanban's funding override ---------------------------------------------------------------


@transaction.atomic
def funding_override_record(*, user, epic: Epic, quarter: Quarter, reason: str) -> FundingOverride:
    """A director lets an epic into implementing without funding room, with the reason on record."""
    _require_director(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for overriding the funding room."})
    override = FundingOverride(epic=epic, quarter=quarter, reason=reason, created_by=user)
    override.full_clean()
    override.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return override


def amount_text(cents: int) -> str:
    """Plain two-decimal text for forms and exports."""
    return f"{cents_to_decimal(cents):.2f}"
