"""The change log of a history-tracked row (django-simple-history) as field-level changes:
who, when, which field, old value, new value, the reason. Used by every app's
`GET <collection>/{id}/history/` and by the history sheets of the XLSX exports.

Values are written the way the API writes them: money fields (`*_cents`) under their API name
without the suffix as two-decimal strings ("2500.00"), decimals as strings, relations as ids,
dates and times in ISO 8601. A row's changes are the differences from the history row before it
(any time before), so a page of history needs that one earlier row, not the whole history.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Model, Q, QuerySet

from portfolio.money import cents_to_text
from portfolio.people import display_name

HISTORY_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    """One history row of an object: who saved it, when, and what it changed."""

    history_id: int
    object_id: int
    when: dt.datetime
    user: int | None
    who: str
    kind: str  # created / changed / deleted
    reason: str
    changes: list[FieldChange]
    record: object  # the history row itself (for labels in exports)


def tracked_fields(model: type[Model]) -> list[tuple[str, str, bool]]:
    """(API name, attribute name, is money) of every field the history of `model` keeps."""
    history = model.history.model
    tracked = []
    for field in model._meta.concrete_fields:
        if field.name == "id" or not _has_field(history, field.name):
            continue  # generated and excluded fields are not kept by the history
        money = field.name.endswith("_cents")
        tracked.append((field.name.removesuffix("_cents") if money else field.name, field.attname, money))
    return tracked


def _has_field(history, name: str) -> bool:
    try:
        history._meta.get_field(name)
    except Exception:
        return False
    return True


def shown_value(value: object, *, money: bool) -> object:
    """A stored value as the API shows it (JSON-ready)."""
    if value is None:
        return None
    if money:
        return cents_to_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def object_history(model: type[Model], *, pk: int) -> QuerySet:
    """The history rows of one object, newest first, each with its user (one query)."""
    return (
        model.history.model.objects.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def record_before(model: type[Model], record) -> object | None:
    """The history row of the same object just before `record` (one query), or None."""
    return (
        model.history.model.objects.filter(id=record.id)
        .filter(
            Q(history_date__lt=record.history_date)
            | Q(history_date=record.history_date, history_id__lt=record.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )


def entries_of(model: type[Model], records: list, *, previous=None) -> list[HistoryEntry]:
    """Entries for `records` (history rows of ONE object, newest first); `previous` is the row
    before the oldest of them (None when the oldest is the object's first row)."""
    fields = tracked_fields(model)
    entries = []
    for index, record in enumerate(records):
        before = records[index + 1] if index + 1 < len(records) else previous
        entries.append(_entry(record, before, fields))
    return entries


def entries_of_many(model: type[Model], records: list) -> list[HistoryEntry]:
    """Entries for history rows of many objects, ordered by object then oldest first (as
    `history_rows_for` returns them): each is compared with the object's row before it."""
    fields = tracked_fields(model)
    entries = []
    before = None
    for record in records:
        if before is not None and before.id != record.id:
            before = None
        entries.append(_entry(record, before, fields))
        before = record
    return entries


def history_rows_for(model: type[Model], *, objects: QuerySet, related: tuple = (), limit: int = 5000) -> list:
    """History rows of the objects of `objects` (a queryset of `model`), by object, oldest
    first, with their users (and the `related` rows a label needs): one query."""
    return list(
        model.history.model.objects.filter(id__in=objects.values("id"))
        .select_related("history_user", *related)
        .order_by("id", "history_date", "history_id")[:limit]
    )


def _entry(record, before, fields) -> HistoryEntry:
    kind = HISTORY_KINDS.get(record.history_type, "changed")
    changes = []
    for name, attname, money in fields:
        new = getattr(record, attname)
        old = None if before is None else getattr(before, attname)
        if kind == "created" or before is None:
            if new is None or new == "":
                continue  # a created row lists the values it was given, not every blank
        elif old == new:
            continue
        changes.append(FieldChange(field=name, old=shown_value(old, money=money), new=shown_value(new, money=money)))
    if kind == "deleted":
        changes = []
    user = record.history_user
    return HistoryEntry(
        history_id=record.history_id,
        object_id=record.id,
        when=record.history_date,
        user=user.pk if user else None,
        who=display_name(user) if user else "system",
        kind=kind,
        reason=record.history_change_reason or "",
        changes=changes,
        record=record,
    )
