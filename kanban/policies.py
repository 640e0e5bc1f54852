"""Directors' writes of the board's rules: WIP limits and entry-policy options per column.

Each service is the permission gate and writes its `SettingChange` audit row in the same
transaction (portfolio's settings services own the gate and the audit helper).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from kanban.models import ENTRY_CHECKS, EntryPolicyOption, WipLimit
from portfolio.models import EPIC_FLOW, ValueStream
from portfolio.services.settings import audit_record, settings_gate

# The columns a WIP limit may cap: work in progress, not the funnel's ideas nor what is done.
WIP_STATES = tuple(EPIC_FLOW[1:-1])


@transaction.atomic
def wip_limit_set(*, user, state: str, limit: int | None, value_stream: ValueStream | None = None) -> WipLimit | None:
    """Set (or with `limit=None` remove) the WIP limit of a column, portfolio-wide or for one
    value stream. Returns the limit row, None when removed.

    The row is locked while it changes, so a move counting against it waits (see `epic_move`).
    """
    settings_gate(user)
    if state not in WIP_STATES:
        raise ValidationError({"state": "WIP limits apply to the reviewing to implementing columns."})
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError({"limit": "A WIP limit is a whole number of at least 1 (leave it empty for none)."})
    row = WipLimit.objects.select_for_update().filter(state=state, value_stream=value_stream).first()
    before = {"limit": row.limit} if row else {}
    if limit is None:
        if row is None:
            return None
        audit_record(user=user, kind="WIP limit", obj=row, action="delete", before=before)
        row.delete()
        return None
    if row is None:
        row = WipLimit(state=state, value_stream=value_stream, limit=limit)
        row.full_clean(validate_constraints=False)  # the lock above settles uniqueness
        row.save()
        audit_record(user=user, kind="WIP limit", obj=row, action="create", after={"limit": limit})
        return row
    row.limit = limit
    row.save(update_fields=["limit"])
    audit_record(user=user, kind="WIP limit", obj=row, action="update", before=before, after={"limit": limit})
    return row


@transaction.atomic
def entry_policy_set(*, user, state: str, check: str, required: bool) -> EntryPolicyOption:
    """Switch one entry-policy check of a column on or off (DESIGN.md's policies are the default)."""
    settings_gate(user)
    if check not in ENTRY_CHECKS.get(state, ()):
        raise ValidationError({"check": f"{check!r} is not an entry check of the {state!r} column."})
    row, created = EntryPolicyOption.objects.select_for_update().get_or_create(
        state=state, entry_check=check, defaults={"required": required}
    )
    before = {"required": True if created else row.required}
    if not created and row.required != required:
        row.required = required
        row.save(update_fields=["required"])
    audit_record(user=user, kind="entry policy", obj=row, action="update", before=before, after={"required": required})
    return row


@transaction.atomic
def entry_policies_set(*, user, required: dict[tuple[str, str], bool]) -> int:
    """Save the entry-policy form: each (state, check) -> required. Returns how many changed;
    one audit row per changed check, none for the ones left as they were."""
    settings_gate(user)
    current = {(state, check): True for state, checks in ENTRY_CHECKS.items() for check in checks} | {
        (row.state, row.entry_check): row.required for row in EntryPolicyOption.objects.select_for_update()
    }
    changed = 0
    for (state, check), value in required.items():
        if current.get((state, check)) != value:
            entry_policy_set(user=user, state=state, check=check, required=value)
            changed += 1
    return changed
