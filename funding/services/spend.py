"""Writes for actual spend: one row at a time, voiding, and the all-or-nothing CSV import.

Nothing is deleted: a correction voids a row, which stays and is excluded from every figure.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from funding.models import Spend, SpendCategory
from funding.services.common import FundingConflict, audit, require_stream_manager
from portfolio.models import Epic, ValueStream
from portfolio.money import decimal_to_cents, parse_amount
from portfolio.permissions import can_manage_value_stream
from portfolio.services.base import rollup_due_mark


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
    require_stream_manager(user, value_stream.pk)
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
    audit(spend, user=user)
    spend.save()
    # The month may be closed already (September booked on 5 October): its quarter rolls again.
    rollup_due_mark(value_stream_ids=[value_stream.pk], since=spend.month)
    return spend


@transaction.atomic
def spend_void(*, user, spend: Spend, reason: str = "") -> Spend:
    """Void a spend row (a correction); the row stays, excluded from every figure."""
    spend = Spend.objects.select_for_update().get(pk=spend.pk)
    require_stream_manager(user, spend.value_stream_id)
    if spend.voided_at is not None:
        raise FundingConflict("This spend row is already void.")
    spend.voided_at, spend.voided_by = timezone.now(), user
    audit(spend, user=user, reason=reason or "voided")
    spend.save()
    rollup_due_mark(value_stream_ids=[spend.value_stream_id], since=spend.month)
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
        rollup_due_mark(value_stream_ids={s.value_stream_id for s in spends}, since=min(s.month for s in spends))
    return SpendImportResult(len(spends), [])
