"""Settings writes of the base domain, made by directors on /settings/ and through the API.

Each service is the permission gate (a non-director gets `PermissionDenied` before anything is
read or written) and writes one `SettingChange` audit row in the same transaction as the change,
so a change and its record commit or roll back together.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portfolio.models import (
    DoraBenchmark,
    OrgSettings,
    Quarter,
    SettingChange,
    SettingChangeAction,
    SourceRule,
    StatusMapping,
    ValueStream,
)
from portfolio.permissions import is_director
from portfolio.services import base, ingestion

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


ORG_SETTINGS_FIELDS = ("currency_display", "dora_benchmark")


@transaction.atomic
def org_settings_update(*, user, **fields) -> OrgSettings:
    """Change the display settings (currency label, DORA benchmark vintage); blank restores the
    environment's setting. A vintage must be one stored as data, or nothing could be graded.

    Changing the vintage regrades every stream: the rollups of all active streams are marked due
    in the same transaction, so their snapshots' DORA levels follow."""
    settings_gate(user)
    unknown = set(fields) - set(ORG_SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a display setting."))
    row, _ = OrgSettings.objects.select_for_update().get_or_create(id=1)
    before = fields_of(row, ORG_SETTINGS_FIELDS)
    for name, value in fields.items():
        setattr(row, name, (value or "").strip())
    if row.dora_benchmark and not DoraBenchmark.objects.filter(vintage=row.dora_benchmark).exists():
        raise ValidationError({"dora_benchmark": f"No DORA benchmark {row.dora_benchmark} is stored."})
    row.full_clean()
    row.save()
    after = fields_of(row, ORG_SETTINGS_FIELDS)
    audit_record(user=user, kind="display settings", obj=row, action="update", before=before, after=after)
    if before["dora_benchmark"] != after["dora_benchmark"]:
        base.rollup_due_mark(value_stream_ids=ValueStream.objects.filter(active=True).values_list("id", flat=True))
    return row


SOURCE_RULE_FIELDS = ("source", "pattern", "value_stream", "reports_incidents")


def _source_rule_state(rule: SourceRule) -> dict:
    state = fields_of(rule, ("source", "pattern", "reports_incidents"))
    state["value_stream"] = rule.value_stream_id
    return state


@transaction.atomic
def source_rule_save(*, user, rule: SourceRule | None = None, **fields) -> tuple[SourceRule, int]:
    """Create a webhook source rule (and replay what was parked for its location, as the
    ingestion does) or change one. Returns the rule and how many parked deliveries it replayed."""
    settings_gate(user)
    if rule is None:
        replayed = ingestion.source_rule_add(**fields)
        rule = SourceRule.objects.get(source=fields["source"], pattern__iexact=fields["pattern"].strip())
        audit_record(user=user, kind="source rule", obj=rule, action="create", after=_source_rule_state(rule))
        return rule, replayed
    rule = SourceRule.objects.select_for_update().get(pk=rule.pk)
    before = _source_rule_state(rule)
    for name, value in fields.items():
        setattr(rule, name, value.strip() if name == "pattern" else value)
    rule.full_clean()
    rule.save()
    audit_record(
        user=user, kind="source rule", obj=rule, action="update", before=before, after=_source_rule_state(rule)
    )
    # A new location may have deliveries parked for it.
    replayed = ingestion.parked_replay(source=rule.source, pattern=rule.pattern)
    return rule, replayed


@transaction.atomic
def source_rule_delete(*, user, rule: SourceRule) -> None:
    """Remove a source rule: later deliveries from its location are parked, not dropped."""
    settings_gate(user)
    audit_record(user=user, kind="source rule", obj=rule, action="delete", before=_source_rule_state(rule))
    rule.delete()


STATUS_MAPPING_FIELDS = ("source", "tool_status", "flow_status")


@transaction.atomic
def status_mapping_save(*, user, mapping: StatusMapping | None = None, **fields) -> StatusMapping:
    """Create or change how a tool's status name maps to a flow status (applies to deliveries
    received from now on)."""
    settings_gate(user)
    action = "create" if mapping is None else "update"
    if mapping is None:
        mapping = StatusMapping()
        before = {}
    else:
        mapping = StatusMapping.objects.select_for_update().get(pk=mapping.pk)
        before = fields_of(mapping, STATUS_MAPPING_FIELDS)
    for name, value in fields.items():
        setattr(mapping, name, value.strip() if name == "tool_status" else value)
    mapping.full_clean()
    mapping.save()
    audit_record(
        user=user,
        kind="status mapping",
        obj=mapping,
        action=action,
        before=before,
        after=fields_of(mapping, STATUS_MAPPING_FIELDS),
    )
    return mapping


@transaction.atomic
def status_mapping_delete(*, user, mapping: StatusMapping) -> None:
    settings_gate(user)
    audit_record(
        user=user, kind="status mapping", obj=mapping, action="delete", before=fields_of(mapping, STATUS_MAPPING_FIELDS)
    )
    mapping.delete()


@dataclass
class PayloadPreview:
    """What the ingestion would do with a payload, without writing anything."""

    source: str
    event: str
    location: str = ""
    value_stream: ValueStream | None = None
    outcome: str = ""  # "maps", "parked" (no rule), "ignored" (an event the adapter skips)
    work_items: list[dict] = field(default_factory=list)
    deployments: int = 0
    incidents: int = 0
    commits: int = 0


def webhook_payload_preview(*, user, source: str, event: str, payload) -> PayloadPreview:
    """ "Test this payload": the value stream and flow states a pasted delivery would map to.

    Runs the ingestion's own validation, adapter, status mappings and rule lookup (`ingestion.
    payload_preview`), so the preview cannot drift from what a real delivery does. Writes nothing.
    Raises `ingestion.PayloadInvalid` (a 400) for a payload the source's schema refuses."""
    settings_gate(user)
    if source not in ingestion.ADAPTERS:
        raise ValidationError({"source": f"Choose one of {', '.join(sorted(ingestion.ADAPTERS))}."})
    if not isinstance(payload, dict):
        raise ValidationError({"payload": "Paste the JSON object the tool sends."})
    mapped, value_stream_id = ingestion.payload_preview(
        source=source, event=event, payload=payload, received_at=timezone.now()
    )
    preview = PayloadPreview(source=source, event=event, location=mapped.location)
    if not mapped:
        preview.outcome = "ignored"
        return preview
    preview.value_stream = ValueStream.objects.filter(id=value_stream_id).first() if value_stream_id else None
    preview.outcome = "maps" if preview.value_stream else "parked"
    preview.work_items = [
        {key: row.get(key) for key in ("external_id", "title", "item_type", "status")} for row in mapped.work_items
    ]
    preview.deployments = len(mapped.deployments)
    preview.incidents = len(mapped.incidents)
    preview.commits = len(mapped.commits)
    return preview
