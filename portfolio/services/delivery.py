"""Writes of delivery data: idempotent bulk upserts of work items, deployments and incidents.

Every path (bulk API, CSV import, webhooks) ends here. A batch is all or nothing: rows are
checked first (references resolved set-based, one query per kind, and the caller's right to
write into every value stream involved, including the one an existing row belongs to now),
then written with one upsert statement per table keyed on (source, external_id). Replaying
a batch changes nothing: rows equal to what is stored are not written at all.

Work items accumulate the time spent active and waiting as their status changes, so flow
efficiency is a plain sum; each change is also kept as a `WorkItemStatusChange` row.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from portfolio.models import (
    MMP,
    Commit,
    Deployment,
    DeploymentLink,
    Epic,
    Incident,
    ValueStream,
    WorkItem,
    WorkItemStatus,
    WorkItemStatusChange,
)
from portfolio.permissions import can_manage_value_stream
from portfolio.services.base import rollup_due_mark

MAX_ROWS = 1000

WORK_ITEM_FIELDS = [
    "value_stream_id",
    "epic_id",
    "mmp_id",
    "title",
    "item_type",
    "size",
    "status",
    "tool_status",
    "created_at",
    "started_at",
    "finished_at",
    "status_changed_at",
    "active_seconds",
    "waiting_seconds",
    "source_updated_at",
]
DEPLOYMENT_FIELDS = [
    "value_stream_id",
    "environment",
    "repository",
    "deployed_at",
    "first_commit_at",
    "succeeded",
    "source_updated_at",
]
INCIDENT_FIELDS = [
    "value_stream_id",
    "title",
    "opened_at",
    "resolved_at",
    "deployment_id",
    "deployment_link",
    "source_updated_at",
]
IN_PROGRESS = (WorkItemStatus.ACTIVE, WorkItemStatus.WAITING)


class BulkValidationError(Exception):
    """Some rows of a batch are invalid; nothing was written. `rows` maps index -> field errors."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        self.rows = rows
        super().__init__(f"{len(rows)} row(s) invalid")


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)


def _error(errors: dict, index: int, name: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(name, []).append(message)


def _existing(model, rows: list[dict]) -> dict[tuple[str, str], SimpleNamespace]:
    """Stored rows with the batch's (source, external_id) keys, one query, as plain records with
    the model's attribute names and `pk` (building 1,000 model instances cost more than the read)."""
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row["external_id"])
    condition = Q()
    for source, external_ids in by_source.items():
        condition |= Q(source=source, external_id__in=external_ids)
    if not by_source:
        return {}
    return {
        (values["source"], values["external_id"]): SimpleNamespace(pk=values["id"], **values)
        for values in model.objects.filter(condition).values()
    }


def _check_duplicates(rows: list[dict], errors: dict) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        key = (row["source"], row["external_id"])
        if key in seen:
            _error(errors, index, "external_id", f"Repeats row {seen[key]} of this batch.")
        seen[key] = index


def _check_value_streams(rows: list[dict], errors: dict) -> None:
    wanted = {row["value_stream_id"] for row in rows}
    known = set(ValueStream.objects.filter(id__in=wanted).values_list("id", flat=True))
    for index, row in enumerate(rows):
        if row["value_stream_id"] not in known:
            _error(errors, index, "value_stream", f"No value stream {row['value_stream_id']}.")


def _check_permission(user, rows: list[dict], existing: dict) -> None:
    """The caller must manage every value stream the batch writes into or moves rows out of."""
    if user is None:
        return
    involved = {row["value_stream_id"] for row in rows}
    involved |= {obj.value_stream_id for obj in existing.values()}
    denied = sorted(vs for vs in involved if not can_manage_value_stream(user, vs))
    if denied:
        raise PermissionDenied(
            f"You may only write delivery data of value streams you manage (not {', '.join(map(str, denied))}); "
            "nothing was written."
        )


def _finish(
    model, objects: list, fields: list[str], result: IngestResult, keys: list[tuple[str, str]], existing: dict
) -> set[tuple[str, str]]:
    """Write `objects` (dicts of attribute names: source, external_id and the fields given)
    with one upsert per batch and set `result.ids` in the batch's order; returns the keys
    actually written.

    Ids come from the rows written (RETURNING) and the stored rows already read, so there is no
    second read. On PostgreSQL the upsert is one `INSERT ... SELECT FROM unnest(...)` whose
    ON CONFLICT update only applies when the incoming event is not older than the stored one
    (the ordering rule, held by the database too, so a newer write committed meanwhile wins);
    elsewhere (SQLite, the embedded default) it is `bulk_create(update_conflicts=True)`.
    """
    written: dict[tuple[str, str], int] = {}
    if objects and _unnest_upsert():
        written = _pg_upsert(model, objects, fields)
    elif objects:
        objects = [model(**values) for values in objects]
        model.objects.bulk_create(
            objects,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["source", "external_id"],
            update_fields=[f.removesuffix("_id") if f.endswith("_id") else f for f in fields] + ["ingested_at"],
        )
        written = {(obj.source, obj.external_id): obj.pk for obj in objects}
    ids = {key: obj.pk for key, obj in existing.items()} | written
    missing = [key for key in keys if ids.get(key) is None]
    if missing:
        # Only when a concurrent batch inserted one of our new keys with a newer event.
        ids |= {
            (s, e): pk for pk, s, e in model.objects.filter(_keys_q(missing)).values_list("id", "source", "external_id")
        }
    result.ids = [ids[key] for key in keys]
    return set(written)


def _unnest_upsert() -> bool:
    """PostgreSQL writes a batch with one unnest statement per table; other databases (SQLite,
    the embedded default) use bulk_create. Both give the same rows (tests/portfolio/
    test_ingestion_paths.py runs one scenario through both)."""
    return connection.vendor == "postgresql"


def _pg_arrays(model, columns: list[str], objects: list[dict]) -> tuple[str, list[list]]:
    """`unnest(%s::type[], ...)` over these columns and one Python list per column: psycopg
    binds each list as one array parameter, so a batch has a handful of parameters, not
    thousands, and neither model instances nor Django's per-value preparation are needed (the
    values are already the model's Python values: aware datetimes, ints, str, bool, None). A
    field a row does not give takes the model's default, as a model instance would."""
    casts, arrays = [], []
    for name in columns:
        model_field = model._meta.get_field(name)
        casts.append(f"%s::{model_field.db_type(connection)}[]")
        attname, default = model_field.attname, model_field.get_default()
        values = [obj.get(attname, default) for obj in objects]
        if isinstance(model_field, models.DateTimeField):
            # As Django's own preparation does: a naive time is in the default time zone (the
            # connection's zone is UTC, which would otherwise read it differently).
            values = [_aware(value) for value in values]
        arrays.append(values)
    return ", ".join(casts), arrays


def _aware(value):
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


def _pg_upsert(model, objects: list[dict], fields: list[str]) -> dict[tuple[str, str], int]:
    """One INSERT ... ON CONFLICT DO UPDATE for the batch; returns {(source, external_id): id}
    of the rows inserted or updated (a row the ordering rule refused is not returned)."""
    names = ["source", "external_id"] + [f.removesuffix("_id") if f.endswith("_id") else f for f in fields]
    columns = [model._meta.get_field(name).column for name in names]
    unnest, arrays = _pg_arrays(model, names, objects)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(column) for column in columns]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in quoted[2:])
    sql = (
        # Only the model's own quoted table and column names are interpolated; values are bound.
        f"INSERT INTO {table} ({', '.join(quoted)}, ingested_at) "  # noqa: S608
        f"SELECT *, %s FROM unnest({unnest}) "
        "ON CONFLICT (source, external_id) DO UPDATE SET "
        f"{updates}, ingested_at = EXCLUDED.ingested_at "
        # The ordering rule (see _is_stale): an event older than the stored one changes nothing.
        f"WHERE EXCLUDED.source_updated_at IS NULL OR {table}.source_updated_at IS NULL "
        f"OR EXCLUDED.source_updated_at >= {table}.source_updated_at "
        "RETURNING id, source, external_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *arrays])  # ingested_at comes first in the SQL
        return {(source, external_id): pk for pk, source, external_id in cursor.fetchall()}


def _keys_q(keys: Iterable[tuple[str, str]]) -> Q:
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    condition = Q()
    for source, external_ids in by_source.items():
        condition |= Q(source=source, external_id__in=external_ids)
    return condition


def _is_stale(row: dict, old) -> bool:
    """True when the tool says this row is older than the stored one: a late or replayed event
    (an "opened" arriving after "closed") must not undo a newer state. Rows without the tool's
    timestamp, or stored rows without one, are written as before."""
    at = row.get("source_updated_at")
    return at is not None and old.source_updated_at is not None and at < old.source_updated_at


def _status_since(row: dict) -> dt.datetime:
    status = row["status"]
    if status == WorkItemStatus.DONE and row.get("finished_at"):
        return row["finished_at"]
    if status in IN_PROGRESS and row.get("started_at"):
        return row["started_at"]
    return row["created_at"]


@transaction.atomic
def work_items_upsert(*, rows: list[dict], user=None, now: dt.datetime | None = None) -> IngestResult:
    """Create or update work items by (source, external_id); all or nothing.

    Rows use model attribute names (`value_stream_id`, `epic_id`, `mmp_id`, ...). A row may
    give `status_changed_at` (when the tool changed the status); otherwise the change is dated
    by the row's own timestamps or now. Time in the previous active/waiting status is added to
    `active_seconds` / `waiting_seconds`, unless the row gives those totals itself (imports).
    """
    now = now or timezone.now()
    errors: dict = {}
    _check_duplicates(rows, errors)
    _check_value_streams(rows, errors)
    epic_ids = {row["epic_id"] for row in rows if row.get("epic_id")}
    mmp_ids = {row["mmp_id"] for row in rows if row.get("mmp_id")}
    epics = dict(Epic.objects.filter(id__in=epic_ids).values_list("id", "value_stream_id")) if epic_ids else {}
    mmps = (
        {
            m: (e, vs)
            for m, e, vs in MMP.objects.filter(id__in=mmp_ids).values_list("id", "epic_id", "epic__value_stream_id")
        }
        if mmp_ids
        else {}
    )
    for index, row in enumerate(rows):
        epic_id, mmp_id = row.get("epic_id"), row.get("mmp_id")
        if epic_id and epics.get(epic_id) != row["value_stream_id"]:
            _error(errors, index, "epic", f"No epic {epic_id} in value stream {row['value_stream_id']}.")
        if mmp_id:
            found = mmps.get(mmp_id)
            if found is None or found[1] != row["value_stream_id"]:
                _error(errors, index, "mmp", f"No MMP {mmp_id} in value stream {row['value_stream_id']}.")
            elif epic_id and found[0] != epic_id:
                _error(errors, index, "mmp", f"MMP {mmp_id} belongs to another epic.")
            elif not epic_id:
                row["epic_id"] = found[0]
    existing = _existing(WorkItem, rows)
    _check_permission(user, rows, existing)
    if errors:
        raise BulkValidationError(errors)

    result = IngestResult()
    to_write, changes, touched, keys, finished = [], [], set(), [], []
    for row in rows:  # the request's own rows (at most MAX_ROWS), not a scan of stored data
        key = (row["source"], row["external_id"])
        keys.append(key)
        old = existing.get(key)
        if "tool_status" in row:
            row["tool_status"] = (row["tool_status"] or "").strip().lower()[:100]
        values = {name: row.get(name) for name in WORK_ITEM_FIELDS if name in row}
        changed_at = row.get("status_changed_at")
        if old is None:
            if row["status"] in IN_PROGRESS and not values.get("started_at"):
                # First seen already in progress: the work started no later than now.
                values["started_at"] = changed_at or now
            values["status_changed_at"] = changed_at or _status_since(values)
            values.setdefault("active_seconds", 0)
            values.setdefault("waiting_seconds", 0)
            result.created += 1
            item = {"source": row["source"], "external_id": row["external_id"], **values}
            changes.append((key, "", row["status"], values["status_changed_at"], values.get("tool_status", "")))
        elif _is_stale(row, old):
            result.unchanged += 1
            continue
        else:
            merged = {name: getattr(old, name) for name in WORK_ITEM_FIELDS}
            merged.update({k: v for k, v in values.items() if k != "status_changed_at"})
            # A move between two tool statuses of one flow status is a change too: value stream
            # map stages are made of tool statuses.
            tool_moved = "tool_status" in row and row["tool_status"] != old.tool_status
            if row["status"] != old.status or tool_moved:
                if row["status"] == old.status:
                    # Same flow status: its own start time is not the time of this move.
                    changed_at = changed_at or row.get("source_updated_at") or now
                changed_at = changed_at or _status_since(row) or now
                since = old.status_changed_at or old.created_at
                seconds = max(int((changed_at - since).total_seconds()), 0)
                if "active_seconds" not in row and old.status == WorkItemStatus.ACTIVE:
                    merged["active_seconds"] = old.active_seconds + seconds
                if "waiting_seconds" not in row and old.status == WorkItemStatus.WAITING:
                    merged["waiting_seconds"] = old.waiting_seconds + seconds
                merged["status_changed_at"] = changed_at
                if row["status"] in IN_PROGRESS and merged["started_at"] is None:
                    merged["started_at"] = changed_at
                if row["status"] == WorkItemStatus.DONE and merged["finished_at"] is None:
                    merged["finished_at"] = changed_at
                changes.append((key, old.status, row["status"], changed_at, merged["tool_status"]))
            if all(getattr(old, name) == merged[name] for name in WORK_ITEM_FIELDS):
                result.unchanged += 1
                continue
            result.updated += 1
            touched.add(old.value_stream_id)
            finished.append(old.finished_at)
            item = {"source": row["source"], "external_id": row["external_id"], **merged}
        finished.append(item.get("finished_at"))
        # No full_clean() per row: every caller hands over checked rows (the API's serializer,
        # the CSV parser, the webhook adapters), and the database's constraints hold the rest.
        touched.add(item["value_stream_id"])
        to_write.append(item)
    written = _finish(WorkItem, to_write, WORK_ITEM_FIELDS, result, keys, existing)
    # Only the rows written changed status (a row the database's ordering check refused did not).
    changes = [change for change in changes if change[0] in written]
    if changes:
        ids = dict(zip(keys, result.ids, strict=True))
        history = [
            {"work_item_id": ids[key], "from_status": old, "to_status": new, "changed_at": at, "tool_status": tool}
            for key, old, new, at, tool in changes
        ]
        if _unnest_upsert():
            _pg_history(history)
        else:
            WorkItemStatusChange.objects.bulk_create(
                [WorkItemStatusChange(**change) for change in history], ignore_conflicts=True
            )
    # Flow figures count an item on the day it finished: an item finished last quarter (or moved
    # from one finish day to another) makes that quarter's snapshots due again.
    rollup_due_mark(value_stream_ids=touched, since=_earliest(finished))
    return result


def _pg_history(history: list[dict]) -> None:
    """The status changes of a batch in one INSERT ... SELECT FROM unnest (a change already
    recorded, by a replayed delivery, is skipped by the unique constraint)."""
    names = ["work_item", "from_status", "to_status", "changed_at", "tool_status"]
    unnest, arrays = _pg_arrays(WorkItemStatusChange, names, history)
    columns = ", ".join(connection.ops.quote_name(WorkItemStatusChange._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(WorkItemStatusChange._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({unnest}) ON CONFLICT DO NOTHING"  # noqa: S608
        cursor.execute(sql, arrays)


def _earliest(moments) -> dt.datetime | None:
    """The earliest of these datetimes (None ignored): the first day a write changes figures of."""
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def _simple_upsert(
    model, fields: list[str], rows: list[dict], result: IngestResult, *, dated: str
) -> tuple[set[int], dt.datetime | None]:
    """Upsert rows of a table without status history; returns the value streams touched and the
    earliest `dated` time among the rows written (old and new values), for the rollup outbox."""
    existing = _existing(model, rows)
    to_write, touched, keys, moments = [], set(), [], []
    for row in rows:  # the request's own rows
        key = (row["source"], row["external_id"])
        keys.append(key)
        old = existing.get(key)
        given = {name: row[name] for name in fields if name in row}
        if old is None:
            result.created += 1
            obj = {"source": row["source"], "external_id": row["external_id"], **given}
        elif _is_stale(row, old):
            result.unchanged += 1
            continue
        else:
            merged = {name: getattr(old, name) for name in fields} | given
            if all(getattr(old, name) == merged[name] for name in fields):
                result.unchanged += 1
                continue
            result.updated += 1
            touched.add(old.value_stream_id)
            moments.append(getattr(old, dated))
            obj = {"source": row["source"], "external_id": row["external_id"], **merged}
        touched.add(obj["value_stream_id"])
        moments.append(obj.get(dated))
        to_write.append(obj)
    _finish(model, to_write, fields, result, keys, existing)
    return touched, _earliest(moments)


@transaction.atomic
def deployments_upsert(*, rows: list[dict], user=None) -> IngestResult:
    """Create or update deployments by (source, external_id); all or nothing."""
    errors: dict = {}
    _check_duplicates(rows, errors)
    _check_value_streams(rows, errors)
    for index, row in enumerate(rows):
        if row.get("repository"):
            row["repository"] = row["repository"].strip().lower()[:200]
        if row.get("first_commit_at") and row["first_commit_at"] > row["deployed_at"]:
            _error(errors, index, "first_commit_at", "The first commit must come before the deployment.")
    _check_permission(user, rows, _existing(Deployment, rows))
    if errors:
        raise BulkValidationError(errors)
    result = IngestResult()
    touched, since = _simple_upsert(Deployment, DEPLOYMENT_FIELDS, rows, result, dated="deployed_at")
    rollup_due_mark(value_stream_ids=touched, since=since)
    return result


@transaction.atomic
def incidents_upsert(*, rows: list[dict], user=None) -> IngestResult:
    """Create or update incidents by (source, external_id); all or nothing.

    A linked deployment must belong to the incident's value stream and come before the incident
    opens (and so before it is resolved: no negative recovery time). An incident without a
    deployment is linked to the last successful production deployment of its stream before it
    opened, and `deployment_link` says where each link came from.
    """
    errors: dict = {}
    _check_duplicates(rows, errors)
    _check_value_streams(rows, errors)
    deployment_ids = {row["deployment_id"] for row in rows if row.get("deployment_id")}
    deployments = (
        {
            pk: (vs, at)
            for pk, vs, at in Deployment.objects.filter(id__in=deployment_ids).values_list(
                "id", "value_stream_id", "deployed_at"
            )
        }
        if deployment_ids
        else {}
    )
    for index, row in enumerate(rows):
        if row.get("resolved_at") and row.get("opened_at") and row["resolved_at"] < row["opened_at"]:
            _error(errors, index, "resolved_at", "An incident is resolved after it opens.")
        if not row.get("deployment_id"):
            continue
        found = deployments.get(row["deployment_id"])
        if found is None or found[0] != row["value_stream_id"]:
            _error(
                errors,
                index,
                "deployment",
                f"No deployment {row['deployment_id']} in value stream {row['value_stream_id']}.",
            )
        elif row.get("opened_at") and row["opened_at"] < found[1]:
            _error(errors, index, "deployment", "The incident opened before the deployment it names.")
        else:
            row["deployment_link"] = DeploymentLink.EXPLICIT
    _check_permission(user, rows, _existing(Incident, rows))
    if errors:
        raise BulkValidationError(errors)
    result = IngestResult()
    # An incident counts from the day it opened (failure rate) and resolved (recovery time).
    touched, since = _simple_upsert(Incident, INCIDENT_FIELDS, rows, result, dated="opened_at")
    _incidents_link(ids=result.ids)
    rollup_due_mark(value_stream_ids=touched, since=since)
    return result


def _incidents_link(*, ids: list[int]) -> None:
    """Link the unlinked incidents among `ids` to the last successful production deployment of
    their stream before they opened: one UPDATE with a correlated subquery."""
    last_before = (
        Deployment.objects.filter(
            value_stream_id=OuterRef("value_stream_id"),
            environment="production",
            succeeded=True,
            deployed_at__lte=OuterRef("opened_at"),
        )
        .order_by("-deployed_at", "-id")
        .values("id")[:1]
    )
    unlinked = Incident.objects.filter(id__in=ids, deployment__isnull=True)
    unlinked.filter(Exists(last_before)).update(
        deployment=Subquery(last_before), deployment_link=DeploymentLink.LAST_BEFORE_OPENED
    )


COMMIT_FIELDS = ["authored_at", "committed_at", "pushed_at"]


@transaction.atomic
def commits_upsert(*, rows: list[dict]) -> int:
    """Record pushed commits (webhooks); a commit seen again keeps its first push time.
    Returns how many rows were new."""
    keys = {(row["source"], row["repository"], row["sha"]) for row in rows}
    condition = Q()
    for source, repository, sha in keys:
        condition |= Q(source=source, repository=repository, sha=sha)
    known = set(Commit.objects.filter(condition).values_list("source", "repository", "sha")) if keys else set()
    new, seen = [], set()
    for row in rows:  # the delivery's own commits
        key = (row["source"], row["repository"], row["sha"])
        if key in known or key in seen:
            continue
        seen.add(key)
        new.append(
            Commit(
                value_stream_id=row["value_stream_id"],
                source=row["source"],
                repository=row["repository"],
                sha=row["sha"][:64],
                **{name: row.get(name) for name in COMMIT_FIELDS},
            )
        )
    Commit.objects.bulk_create(new, ignore_conflicts=True)
    # A commit changes the lead time of the deployments after it was pushed.
    rollup_due_mark(
        value_stream_ids={row["value_stream_id"] for row in rows},
        since=_earliest(commit.pushed_at or commit.committed_at or commit.authored_at for commit in new),
    )
    return len(new)
