"""CSV import of delivery data (work items, deployments, incidents), all or nothing.

Columns are the API's field names (`value_stream`, `epic`, `mmp`, `deployment` are ids; a
missing `value_stream` column uses the import's value stream; `source` defaults to `csv`).
The file is parsed and typed first, with errors per line; then every chunk of 1,000 rows goes
through the same upsert service as the bulk API, inside one transaction, so a file is
imported whole or not at all, and re-importing it changes nothing.
"""

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from portfolio.models import (
    DeliveryImport,
    DeliveryImportKind,
    DeliveryImportStatus,
    FlowItemType,
    Source,
    WorkItemStatus,
)
from portfolio.services.delivery import (
    MAX_ROWS,
    BulkValidationError,
    deployments_upsert,
    incidents_upsert,
    work_items_upsert,
)

logger = logging.getLogger(__name__)
MAX_FILE_ROWS = 200_000


def _int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _datetime(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError("use ISO 8601 such as 2026-07-01T09:30:00Z")
        parsed = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "y"):
        return True
    if lowered in ("0", "false", "no", "n"):
        return False
    raise ValueError("use true or false")


def _choice(choices):
    def convert(value: str) -> str:
        if value not in choices:
            raise ValueError(f"use one of {', '.join(choices)}")
        return value

    return convert


def _text(limit: int):
    def convert(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        return value

    return convert


# column -> (row key, converter, required)
COMMON = {
    "value_stream": ("value_stream_id", _int, False),
    "source": ("source", _choice(Source.values), False),
    "external_id": ("external_id", _text(200), True),
}
COLUMNS = {
    DeliveryImportKind.WORK_ITEMS: {
        **COMMON,
        "epic": ("epic_id", _int, False),
        "mmp": ("mmp_id", _int, False),
        "title": ("title", _text(500), False),
        "item_type": ("item_type", _choice(FlowItemType.values), False),
        "size": ("size", _int, False),
        "status": ("status", _choice(WorkItemStatus.values), True),
        "created_at": ("created_at", _datetime, True),
        "started_at": ("started_at", _datetime, False),
        "finished_at": ("finished_at", _datetime, False),
        "status_changed_at": ("status_changed_at", _datetime, False),
        "active_seconds": ("active_seconds", _int, False),
        "waiting_seconds": ("waiting_seconds", _int, False),
    },
    DeliveryImportKind.DEPLOYMENTS: {
        **COMMON,
        "environment": ("environment", _text(60), False),
        "deployed_at": ("deployed_at", _datetime, True),
        "first_commit_at": ("first_commit_at", _datetime, False),
        "succeeded": ("succeeded", _bool, False),
    },
    DeliveryImportKind.INCIDENTS: {
        **COMMON,
        "title": ("title", _text(500), False),
        "opened_at": ("opened_at", _datetime, True),
        "resolved_at": ("resolved_at", _datetime, False),
        "deployment": ("deployment_id", _int, False),
    },
}
UPSERTS = {
    DeliveryImportKind.WORK_ITEMS: work_items_upsert,
    DeliveryImportKind.DEPLOYMENTS: deployments_upsert,
    DeliveryImportKind.INCIDENTS: incidents_upsert,
}


def csv_rows_parse(*, kind: str, text: str, value_stream_id: int | None = None) -> list[dict]:
    """Typed rows from CSV text; raises BulkValidationError with errors per row index."""
    columns = COLUMNS[kind]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    unknown = [name for name in reader.fieldnames or [] if name and name.strip() not in columns]
    if not reader.fieldnames or unknown:
        raise ValidationError(
            f"Unknown or missing columns {', '.join(unknown) or '(no header)'}; use {', '.join(columns)}."
        )
    rows, errors = [], {}
    for index, raw in enumerate(reader):
        if index >= MAX_FILE_ROWS:
            raise ValidationError(f"At most {MAX_FILE_ROWS} rows per file.")
        row: dict = {"source": Source.CSV}
        if value_stream_id is not None:
            row["value_stream_id"] = value_stream_id
        row_errors = {}
        for column, (key, convert, required) in columns.items():
            value = (raw.get(column) or "").strip()
            if not value:
                if required:
                    row_errors[column] = ["This column is required."]
                continue
            try:
                row[key] = convert(value)
            except (ValueError, TypeError) as exc:
                row_errors[column] = [str(exc)]
        if "value_stream_id" not in row and "value_stream" not in row_errors:
            row_errors["value_stream"] = ["Give the value stream (column or import setting)."]
        if (
            kind == DeliveryImportKind.WORK_ITEMS
            and row.get("status") == WorkItemStatus.DONE
            and "finished_at" not in row
            and "status" not in row_errors
        ):
            row_errors["finished_at"] = ["A done item needs finished_at."]
        if row_errors:
            errors[index] = row_errors
        rows.append(row)
    if errors:
        raise BulkValidationError(errors)
    return rows


Progress = Callable[[int, int], None]


def delivery_csv_import(
    *, kind: str, text: str, value_stream_id: int | None = None, user=None, progress: Progress | None = None
) -> dict:
    """Parse and upsert a whole file in one transaction; returns the counts."""
    rows = csv_rows_parse(kind=kind, text=text, value_stream_id=value_stream_id)
    upsert = UPSERTS[kind]
    totals = {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for offset in range(0, len(rows), MAX_ROWS):
            chunk = rows[offset : offset + MAX_ROWS]
            try:
                result = upsert(rows=chunk, user=user)
            except BulkValidationError as exc:
                raise BulkValidationError({offset + i: e for i, e in exc.rows.items()}) from exc
            totals["created"] += result.created
            totals["updated"] += result.updated
            totals["unchanged"] += result.unchanged
            if progress is not None:
                progress(offset + len(chunk), len(rows))
    return totals


def delivery_import_create(*, kind: str, content: str, user, value_stream_id: int | None, filename: str = ""):
    """Keep an uploaded file for the import task (which takes only this row's id)."""
    record = DeliveryImport(
        kind=kind, content=content, uploaded_by=user, value_stream_id=value_stream_id, filename=filename[:200]
    )
    record.full_clean(exclude=["uploaded_by", "value_stream"])
    record.save()
    return record


def delivery_import_run(*, import_id: int, progress: Progress | None = None) -> dict:
    """Run a stored import as its uploader (their value streams only); records the outcome."""
    record = DeliveryImport.objects.select_related("uploaded_by").filter(id=import_id).first()
    if record is None:
        logger.info("Delivery import %s is gone; nothing to do.", import_id)
        return {}
    status, result = DeliveryImportStatus.FAILED, {}
    try:
        result = delivery_csv_import(
            kind=record.kind,
            text=record.content,
            value_stream_id=record.value_stream_id,
            user=record.uploaded_by,
            progress=progress,
        )
        status = DeliveryImportStatus.DONE
    except BulkValidationError as exc:
        rows = sorted(exc.rows.items())
        result = {
            "errors": [{"line": index + 2, "errors": errors} for index, errors in rows[:100]],
            "invalid": len(rows),
        }
    except PermissionDenied as exc:
        result = {"detail": str(exc)}
    except ValidationError as exc:
        result = {"detail": " ".join(exc.messages)}
    DeliveryImport.objects.filter(id=record.id).update(status=status, result=result, finished_at=timezone.now())
    return {"status": status, **result}
