"""Writes for epics, their WSJF scores, go decisions, MMPs, dependencies and risks.

Every service takes the acting `user` and checks `portfolio.permissions` itself, so the pages
and the API cannot disagree: only managers of the epic's value stream and directors change it.
State changes are not here: the Kanban's `epic_move` is the one way an epic changes state.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from portfolio.models import MMP, Dependency, Epic, Risk, ValueStream
from portfolio.models.epics import EPIC_EDITABLE_FIELDS, WSJF_INPUTS
from portfolio.permissions import can_manage_value_stream, can_record_risks_and_dependencies
from portfolio.services.base import rollup_due_mark

DENIED = "Only managers of this value stream and VMO directors may change its epics."
RECORD_DENIED = (
    "Only managers of this value stream, VMO directors and program managers record its risks and dependencies."
)


def _check_manage(user, value_stream_id) -> None:
    if not can_manage_value_stream(user, value_stream_id):
        raise PermissionDenied(DENIED)


def _check_record(user, value_stream_id) -> None:
    if not can_record_risks_and_dependencies(user, value_stream_id):
        raise PermissionDenied(RECORD_DENIED)


def _value_stream_id(value) -> int | None:
    return getattr(value, "pk", value)


def _set_fields(epic: Epic, fields: dict) -> None:
    unknown = set(fields) - set(EPIC_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set here."))
    for name, value in fields.items():
        if name in ("value_stream", "owner", "target_quarter") and not hasattr(value, "pk") and value is not None:
            setattr(epic, f"{name}_id", value)
        else:
            setattr(epic, name, value)


# A generated key: the stream's prefix, a dash and a number ("PAY-12").
_NUMBERED_KEY = re.compile(r"^([A-Z][A-Z0-9]*)-[0-9]+$")
KEY_TAKEN = "This key is taken by another epic: choose another one or leave it blank for the next free key."
# A generated key lost to a concurrent create is recomputed this many times before giving up.
_KEY_ATTEMPTS = 5


def epic_key_prefix(*, value_stream_id: int) -> str:
    """The prefix of the stream's epic keys: the one its newest numbered key uses (so a stream
    keeps the keys it already has: "OPS-7" for core-ops), else the first letters of its slug."""
    for key in (
        Epic.objects.filter(value_stream_id=value_stream_id)
        .order_by("-created_at", "-id")
        .values_list("key", flat=True)[:20]
    ):
        match = _NUMBERED_KEY.match(key)
        if match:
            return match.group(1)
    slug = ValueStream.objects.values_list("slug", flat=True).get(id=value_stream_id)
    letters = re.sub(r"[^A-Z0-9]", "", slug.upper())
    return (letters[:3] or "EP") if letters[:1].isalpha() else f"E{letters[:2]}"


def epic_key_next(*, value_stream_id: int) -> str:
    """The next free numbered key of the stream's prefix: one past the highest number any epic
    (of any stream) carries with that prefix, computed by the database in one aggregate."""
    prefix = epic_key_prefix(value_stream_id=value_stream_id)
    highest = (
        Epic.objects.filter(key__regex=rf"^{prefix}-[0-9]+$")
        .annotate(number=Cast(Substr("key", len(prefix) + 2), BigIntegerField()))
        .aggregate(highest=Max("number"))["highest"]
    )
    return f"{prefix}-{(highest or 0) + 1}"


@transaction.atomic
def epic_create(*, user, value_stream, title: str, key: str = "", themes=None, **fields) -> Epic:
    """Bring a new idea into the funnel of a value stream the user manages. A blank key gets the
    stream's next numbered key (`epic_key_next`); the unique constraint settles a race: a
    generated key lost to a concurrent create is recomputed, a typed one is a field error."""
    _check_manage(user, _value_stream_id(value_stream))
    key = (key or "").strip().upper()
    generated = not key
    for _attempt in range(_KEY_ATTEMPTS):
        epic = Epic()
        _set_fields(epic, {"value_stream": value_stream, "title": title, **fields})
        epic.key = epic_key_next(value_stream_id=epic.value_stream_id) if generated else key
        epic.full_clean(validate_unique=not generated)
        # Name the author in the history even for token-authenticated API calls, which the
        # history middleware (it reads the session user) cannot see.
        epic._history_user = user
        try:
            with transaction.atomic():  # a savepoint: a lost key leaves the outer transaction usable
                epic.save()
            break
        except IntegrityError as exc:
            if not Epic.objects.filter(key=epic.key).exists():
                raise
            if not generated:
                raise ValidationError({"key": KEY_TAKEN}) from exc
    else:
        raise ValidationError({"key": "No free key could be generated just now: try again or type one."})
    if themes is not None:
        epic.themes.set(themes)
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return epic


@transaction.atomic
def epic_update(*, user, epic: Epic, themes=None, **fields) -> Epic:
    """Edit an epic's case, scores or figures. Moving it to another value stream needs the right
    to manage both streams: a VSM cannot push an epic into a stream they do not manage."""
    _check_manage(user, epic.value_stream_id)
    old_stream_id = epic.value_stream_id
    if "value_stream" in fields:
        _check_manage(user, _value_stream_id(fields["value_stream"]))
    if "key" in fields:
        fields["key"] = fields["key"].strip().upper()
    _set_fields(epic, fields)
    epic.full_clean()
    epic._history_user = user
    epic.save()
    if themes is not None:
        epic.themes.set(themes)
    rollup_due_mark(value_stream_ids=[old_stream_id, epic.value_stream_id])
    # The generated columns (cost of delay, WSJF) are computed by the database on save.
    epic.refresh_from_db(fields=["cost_of_delay", "wsjf"])
    return epic


def epic_score(*, user, epic: Epic, **scores) -> Epic:
    """Set some WSJF inputs (the scoring page sends one column at a time)."""
    unknown = set(scores) - set(WSJF_INPUTS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a WSJF input."))
    return epic_update(user=user, epic=epic, **scores)


@transaction.atomic
def epic_go_decision_record(*, user, epic: Epic, note: str) -> Epic:
    """Record the go decision that lets an epic into the portfolio backlog.

    Managers of the stream may record it; when the epic's cost is above the approval threshold
    the move service only accepts a decision recorded by a VMO director.
    """
    _check_manage(user, epic.value_stream_id)
    epic.go_decision_by = user
    epic.go_decision_at = timezone.now()
    epic.go_decision_note = note.strip()
    if not epic.go_decision_note:
        raise ValidationError({"note": "Say why the epic should go ahead."})
    epic.full_clean()
    epic._history_user = user
    epic.save(update_fields=["go_decision_by", "go_decision_at", "go_decision_note", "updated_at"])
    return epic


@transaction.atomic
def mmp_create(*, user, epic: Epic, title: str, **fields) -> MMP:
    """Add an MVP or MMP under an epic."""
    _check_manage(user, epic.value_stream_id)
    mmp = MMP(epic=epic, title=title, **fields)
    mmp.full_clean()
    mmp.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return mmp


@transaction.atomic
def mmp_update(*, user, mmp: MMP, **fields) -> MMP:
    _check_manage(user, mmp.epic.value_stream_id)
    if "epic" in fields:
        _check_manage(user, fields["epic"].value_stream_id)
    for name, value in fields.items():
        setattr(mmp, name, value)
    mmp.full_clean()
    mmp.save()
    rollup_due_mark(value_stream_ids=[mmp.epic.value_stream_id])
    return mmp


def _check_pair(dependency: Dependency) -> None:
    """The pair rules as messages on `depends_on` (the constraints back them up): an epic does
    not depend on itself, and a pair is recorded once."""
    if dependency.epic_id == dependency.depends_on_id:
        raise ValidationError({"depends_on": "An epic cannot depend on itself."})
    twin = Dependency.objects.filter(epic_id=dependency.epic_id, depends_on_id=dependency.depends_on_id)
    if twin.exclude(pk=dependency.pk).exists():
        raise ValidationError({"depends_on": "This dependency is already recorded."})


@transaction.atomic
def dependency_create(*, user, epic: Epic, depends_on: Epic, **fields) -> Dependency:
    """Record that `epic` waits for `depends_on` (the dependent epic's managers, directors and
    program managers record it)."""
    _check_record(user, epic.value_stream_id)
    dependency = Dependency(epic=epic, depends_on=depends_on, **fields)
    _check_pair(dependency)
    dependency.full_clean()
    dependency.save()
    return dependency


@transaction.atomic
def dependency_update(*, user, dependency: Dependency, **fields) -> Dependency:
    _check_record(user, dependency.epic.value_stream_id)
    if "epic" in fields:
        _check_record(user, fields["epic"].value_stream_id)
    for name, value in fields.items():
        setattr(dependency, name, value)
    _check_pair(dependency)
    dependency.full_clean()
    dependency.save()
    return dependency


@transaction.atomic
def dependency_delete(*, user, dependency: Dependency) -> None:
    _check_manage(user, dependency.epic.value_stream_id)
    dependency.delete()


def _risk_stream_id(value_stream, epic) -> int | None:
    if epic is not None:
        return epic.value_stream_id
    return _value_stream_id(value_stream)


@transaction.atomic
def risk_create(*, user, title: str, value_stream=None, epic: Epic | None = None, **fields) -> Risk:
    """Raise a risk on an epic (it belongs to the epic's stream) or on a whole value stream."""
    stream_id = _risk_stream_id(value_stream, epic)
    _check_record(user, stream_id)
    if epic is not None and value_stream is not None and _value_stream_id(value_stream) != epic.value_stream_id:
        raise ValidationError({"value_stream": "A risk on an epic belongs to the epic's value stream."})
    risk = Risk(title=title, value_stream_id=stream_id, epic=epic, **fields)
    risk.full_clean()
    risk.save()
    return risk


@transaction.atomic
def risk_update(*, user, risk: Risk, **fields) -> Risk:
    _check_record(user, risk.value_stream_id)
    epic = fields.get("epic", risk.epic)
    value_stream = fields.get("value_stream", risk.value_stream_id)
    new_stream_id = _risk_stream_id(value_stream, epic)
    _check_record(user, new_stream_id)
    if epic is not None and "value_stream" in fields and _value_stream_id(value_stream) != epic.value_stream_id:
        raise ValidationError({"value_stream": "A risk on an epic belongs to the epic's value stream."})
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.value_stream_id = new_stream_id
    risk.full_clean()
    risk.save()
    return risk
