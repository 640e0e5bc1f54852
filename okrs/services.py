"""Writes for OKRs: objectives, key results and append-only check-ins.

Permissions are checked by the interfaces (pages and API) through `okrs.permissions`; these
services enforce the domain rules and keep the rollup outbox in step.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from okrs.models import CheckIn, KeyResult, KRCommitment, KRDirection, Objective, ObjectiveLevel
from portfolio.services.base import rollup_due_mark

KR_FIELDS = ("title", "unit", "direction", "baseline", "target", "current", "weight", "commitment")


def _mark(objective: Objective) -> None:
    if objective.value_stream_id is not None:
        rollup_due_mark(value_stream_ids=[objective.value_stream_id])


def _objective_check(objective: Objective) -> None:
    errors = {}
    if objective.level == ObjectiveLevel.PORTFOLIO and objective.value_stream_id is not None:
        errors["value_stream"] = "A portfolio objective belongs to no value stream."
    if objective.level == ObjectiveLevel.VALUE_STREAM and objective.value_stream_id is None:
        errors["value_stream"] = "Choose the value stream this objective belongs to."
    parent = objective.parent
    if parent is not None:
        if parent.level != ObjectiveLevel.PORTFOLIO:
            errors["parent"] = "Align to a portfolio-level objective."
        elif parent.quarter_id != objective.quarter_id:
            errors["parent"] = "The parent objective must be in the same quarter."
        elif objective.level == ObjectiveLevel.PORTFOLIO:
            errors["parent"] = "Portfolio objectives have no parent."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def objective_create(
    *,
    quarter,
    title: str,
    level: str = ObjectiveLevel.VALUE_STREAM,
    value_stream=None,
    description: str = "",
    owner=None,
    theme=None,
    parent=None,
) -> Objective:
    """Create an objective for a quarter, at portfolio or value-stream level."""
    objective = Objective(
        quarter=quarter,
        title=title,
        level=level,
        value_stream=value_stream,
        description=description,
        owner=owner,
        theme=theme,
        parent=parent,
    )
    _objective_check(objective)
    objective.full_clean()
    objective.save()
    _mark(objective)
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, **fields) -> Objective:
    """Change an objective's fields; moving it between value streams marks both for rollup."""
    old_stream = objective.value_stream_id
    for name, value in fields.items():
        setattr(objective, name, value)
    _objective_check(objective)
    objective.full_clean()
    objective.save()
    rollup_due_mark(value_stream_ids=[old_stream, objective.value_stream_id])
    return objective


def _key_result_check(kr: KeyResult, *, epics=(), mmps=()) -> None:
    """The rules a person can act on, as field messages (the database constraints back them)."""
    errors = {}
    if kr.baseline is not None and kr.target is not None:
        if Decimal(kr.target) == Decimal(kr.baseline):
            errors["target"] = "The target must differ from the baseline, otherwise progress cannot be measured."
        elif kr.direction == KRDirection.INCREASE and Decimal(kr.target) < Decimal(kr.baseline):
            errors["target"] = "An 'increase' key result needs a target above its baseline."
        elif kr.direction == KRDirection.DECREASE and Decimal(kr.target) > Decimal(kr.baseline):
            errors["target"] = "A 'decrease' key result needs a target below its baseline."
    if kr.weight is not None and Decimal(kr.weight) <= 0:
        errors["weight"] = "The weight must be above zero."
    stream_id = kr.objective.value_stream_id
    if stream_id is not None:
        # A VSM may only link work of their own stream (no unscoped related fields).
        if any(epic.value_stream_id != stream_id for epic in epics):
            errors["epics"] = "Link only epics of this objective's value stream."
        if any(mmp.epic.value_stream_id != stream_id for mmp in mmps):
            errors["mmps"] = "Link only MMPs of this objective's value stream."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def key_result_create(
    *,
    objective: Objective,
    title: str,
    baseline: Decimal,
    target: Decimal,
    current: Decimal | None = None,
    direction: str = KRDirection.INCREASE,
    unit: str = "",
    weight: Decimal = Decimal(1),
    commitment: str = KRCommitment.COMMITTED,
    epics=(),
    mmps=(),
) -> KeyResult:
    """Create a key result. A target equal to the baseline (or on the wrong side of it for the
    direction) is refused with a message; `current` starts at the baseline."""
    kr = KeyResult(
        objective=objective,
        title=title,
        unit=unit,
        direction=direction,
        baseline=baseline,
        target=target,
        current=baseline if current is None else current,
        weight=weight,
        commitment=commitment,
    )
    epics, mmps = list(epics), list(mmps)
    _key_result_check(kr, epics=epics, mmps=mmps)
    kr.full_clean()
    kr.save()
    if epics:
        kr.epics.set(epics)
    if mmps:
        kr.mmps.set(mmps)
    _mark(objective)
    return kr


@transaction.atomic
def key_result_update(*, key_result: KeyResult, epics=None, mmps=None, **fields) -> KeyResult:
    """Change a key result (its history keeps the old target); `objective` cannot change."""
    fields.pop("objective", None)
    for name, value in fields.items():
        if name not in KR_FIELDS:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(key_result, name, value)
    _key_result_check(
        key_result,
        epics=list(epics) if epics is not None else (),
        mmps=list(mmps) if mmps is not None else (),
    )
    key_result.full_clean()
    key_result.save()
    if epics is not None:
        key_result.epics.set(epics)
    if mmps is not None:
        key_result.mmps.set(mmps)
    _mark(key_result.objective)
    return key_result


@transaction.atomic
def check_in_record(
    *,
    key_result: KeyResult,
    value: Decimal,
    confidence: int,
    author,
    note: str = "",
    date: dt.date | None = None,
) -> CheckIn:
    """Append a check-in and bring the KR's `current` and `confidence` up to date, in one
    transaction.

    Check-ins are append-only. The KR row is locked first so two check-ins at once cannot leave
    `current` pointing at the older one; `current` follows the latest check-in by date (a
    back-dated reading is kept in the history but does not overwrite a newer one).
    """
    kr = KeyResult.objects.select_for_update().select_related("objective").get(pk=key_result.pk)
    check_in = CheckIn(
        key_result=kr,
        date=date or timezone.localdate(),
        value=value,
        confidence=confidence,
        note=note,
        author=author,
    )
    if confidence is not None and not 0 <= int(confidence) <= 10:
        raise ValidationError({"confidence": "Confidence is a whole number from 0 to 10."})
    check_in.full_clean()
    check_in.save()
    latest = CheckIn.objects.filter(key_result=kr).order_by("-date", "-id").values("value", "confidence").first()
    KeyResult.objects.filter(pk=kr.pk).update(current=latest["value"], confidence=latest["confidence"])
    key_result.current, key_result.confidence = latest["value"], latest["confidence"]
    _mark(kr.objective)
    return check_in
