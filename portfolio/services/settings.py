"""Settings writes of the base domain, made by directors on /settings/ and through the API.

Each service is the permission gate (a non-director gets `PermissionDenied` before anything is
read or written) and writes one `SettingChange` audit row in the same transaction as the change,
so a change and its record commit or roll back together.
"""

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portfolio.models import (
    Quarter,
    SettingChange,
    SettingChangeAction,
    ValueStream,
)
from portfolio.permissions import is_director
from portfolio.services import base

DIRECTORS_ONLY = "Only VMO directors change the settings."


def settings_gate(user) -> None:
    """Raise PermissionDenied unless `user` may change the installation's settings."""
    if not is_director(user):
        raise PermissionDenied(DIRECTORS_ONLY)


def _plain(value):
    """A value as JSON keeps it in the audit log (dates as ISO text, sets sorted)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "pk"):
        return value.pk
    json.dumps(value)  # anything else must already be JSON
    return value


def audit_record(
    *, user, kind: str, obj, action: str, before: dict | None = None, after: dict | None = None
) -> SettingChange | None:
    """Write the audit row of one settings change: the fields whose value changed, old and new.

    An update that changed nothing writes nothing (a form saved twice is not two changes)."""
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    changes = {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in names
        if _plain(before.get(name)) != _plain(after.get(name))
    }
    if action == SettingChangeAction.UPDATE and not changes:
        return None
    return SettingChange.objects.create(
        by=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
    )


def fields_of(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


VALUE_STREAM_FIELDS = ("name", "slug", "kind", "delivery_mode", "description", "active")


def _value_stream_state(value_stream: ValueStream) -> dict:
    state = fields_of(value_stream, VALUE_STREAM_FIELDS)
    state["managers"] = set(value_stream.managers.values_list("id", flat=True)) if value_stream.pk else set()
    return state


@transaction.atomic
def value_stream_save(*, user, value_stream: ValueStream | None = None, **fields) -> ValueStream:
    """Create (no `value_stream`) or change a value stream, its managers and whether it is active.

    Archiving is `active=False`: the stream keeps its history and money, leaves the forms' choices."""
    settings_gate(user)
    if value_stream is None:
        value_stream = base.value_stream_create(**fields)
        audit_record(
            user=user, kind="value stream", obj=value_stream, action="create", after=_value_stream_state(value_stream)
        )
        return value_stream
    value_stream = ValueStream.objects.select_for_update().get(pk=value_stream.pk)
    before = _value_stream_state(value_stream)
    value_stream = base.value_stream_update(value_stream=value_stream, **fields)
    audit_record(
        user=user,
        kind="value stream",
        obj=value_stream,
        action="update",
        before=before,
        after=_value_stream_state(value_stream),
    )
    return value_stream


QUARTER_FIELDS = ("code", "start", "end", "status")


@transaction.atomic
def quarter_save(*, user, quarter: Quarter | None = None, **fields) -> Quarter:
    """Create or change a planning quarter (overlaps refused by the base service)."""
    settings_gate(user)
    if quarter is None:
        quarter = base.quarter_create(**fields)
        audit_record(user=user, kind="quarter", obj=quarter, action="create", after=fields_of(quarter, QUARTER_FIELDS))
        return quarter
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    before = fields_of(quarter, QUARTER_FIELDS)
    quarter = base.quarter_update(quarter=quarter, **fields)
    audit_record(
        user=user, kind="quarter", obj=quarter, action="update", before=before, after=fields_of(quarter, QUARTER_FIELDS)
    )
    return quarter
