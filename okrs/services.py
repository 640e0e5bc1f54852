"""Writes for OKRs: objectives, key results and append-only check-ins.

Permissions are checked by the interfaces (pages and API) through `okrs.permissions`; these
services enforce the domain rules and keep the rollup outbox in step.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from okrs.models import (
    KR_METRIC_FIGURES,
    KR_VALUE_PLACES,
    CheckIn,
    KeyResult,
    KeyResultBenefit,
    KRCommitment,
    KRDirection,
    KRMetric,
    Objective,
    ObjectiveLevel,
)
from okrs.selectors import key_results_for_benefits
from portfolio.models import BenefitHypothesis, Epic
from portfolio.permissions import can_manage_value_stream
from portfolio.services.base import rollup_due_mark
from portfolio.services.benefits import BENEFIT_DENIED
from portfolio.services.events import EventType, event_record

KR_FIELDS = ("title", "unit", "direction", "baseline", "target", "current", "weight", "commitment", "metric")


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
    if kr.metric and stream_id is None:
        errors["metric"] = "Only a value stream objective's key result can be bound to a figure of its value stream."
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
    metric: str = "",
    epics=(),
    mmps=(),
) -> KeyResult:
    """Create a key result. A target equal to the baseline (or on the wrong side of it for the
    direction) is refused with a message; `current` starts at the baseline. With `metric` the KR
    is bound to that figure of its value stream: the next rollup checks its value in."""
    kr = KeyResult(
        metric=metric or "",
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
    """Change a key result (its history keeps the old target); `objective` cannot change. The
    `current` value of a KR bound to a metric cannot be typed over: the rollup sets it."""
    fields.pop("objective", None)
    bound = fields.get("metric", key_result.metric)
    if bound and "current" in fields and Decimal(fields["current"]) != Decimal(key_result.current):
        raise ValidationError({"current": _bound_message(bound)})
    for name, value in fields.items():
        if name not in KR_FIELDS:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(key_result, name, value)
    key_result.metric = key_result.metric or ""
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
    if kr.metric:
        raise ValidationError({"value": _bound_message(kr.metric)})
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
    event_record(
        event_type=EventType.KEY_RESULT_CHECKED_IN,
        payload={
            "key_result": kr.pk,
            "objective": kr.objective_id,
            "check_in": check_in.pk,
            "date": check_in.date.isoformat(),
            "value": format(check_in.value, "f"),
            "confidence": check_in.confidence,
            "current": format(latest["value"], "f"),
            "by": getattr(author, "pk", None),
        },
    )
    return check_in


def _bound_message(metric: str) -> str:
    return (
        f"This key result is bound to {KRMetric(metric).label}: its value comes from each rollup "
        "and cannot be typed over."
    )


def _metric_value(metric: str, figures) -> Decimal | None:
    """The bound figure in the KR's unit, to the KR's 4 decimals (None: no data, no check-in)."""
    name, factor, _unit = KR_METRIC_FIGURES[metric]
    value = getattr(figures, name, None)
    if value is None:
        return None
    return (Decimal(str(value)) * factor).quantize(Decimal(1).scaleb(-KR_VALUE_PLACES), rounding=ROUND_HALF_UP)


# No savepoint: the rollup calls this inside its own transaction, which is all-or-nothing anyway.
@transaction.atomic(savepoint=False)
def key_results_check_in_rollup(*, quarter_id: int, as_of: dt.date, figures: Mapping[int, object]) -> int:
    """Check in, by the rollup, the value of every KR bound to a metric of these value streams
    in this quarter, from the rollup's figures per value stream (objects with the snapshot's
    field names). Returns how many readings were written.

    One reading per KR and snapshot day: a rerun of the day's rollup rewrites it (the upsert on
    `check_in_one_rollup_a_day`), never adds a second. A metric without data writes nothing.
    Then each KR's `current` follows its latest check-in by date, in one UPDATE. Three queries
    whatever the number of KRs and streams (one when nothing is bound). No outbox row: the
    caller is the rollup itself.
    """
    bound = list(
        KeyResult.objects.filter(objective__quarter_id=quarter_id, objective__value_stream_id__in=list(figures))
        .exclude(metric="")
        .values_list("id", "metric", "objective__value_stream_id")
    )
    readings = []
    for kr_id, metric, vs_id in bound:  # the bound KRs fetched above; no queries in this loop
        value = _metric_value(metric, figures[vs_id])
        if value is not None:
            readings.append(CheckIn(key_result_id=kr_id, date=as_of, rollup_of=as_of, value=value, note="rollup"))
    if not readings:
        return 0
    CheckIn.objects.bulk_create(
        readings,
        update_conflicts=True,
        unique_fields=["key_result", "rollup_of"],
        update_fields=["value", "date"],
    )
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-date", "-id").values("value")[:1]
    KeyResult.objects.filter(id__in=[r.key_result_id for r in readings]).update(current=Subquery(latest))
    return len(readings)


# --- benefits serve key results (issue 12) ----------------------------------------------------


@transaction.atomic
def benefit_key_result_set(
    *, user, benefit: BenefitHypothesis, key_result: KeyResult | None
) -> KeyResultBenefit | None:
    """Tie a benefit hypothesis to the key result it serves (replacing an earlier tie), or untie it
    with None. The permission is the benefit's (managers of its epic's value stream, directors);
    the key result must be its value stream's or a portfolio objective's."""
    value_stream_id = Epic.objects.values_list("value_stream_id", flat=True).get(id=benefit.epic_id)
    if not can_manage_value_stream(user, value_stream_id):
        raise PermissionDenied(BENEFIT_DENIED)
    if key_result is None:
        KeyResultBenefit.objects.filter(benefit=benefit).delete()
        return None
    if not key_results_for_benefits(value_stream_id=value_stream_id).filter(id=key_result.id).exists():
        raise ValidationError(
            {"key_result": "A benefit may serve a key result of its own value stream or of a portfolio objective."}
        )
    # update_or_create on the one-to-one (unique) column: two racing links cannot both insert.
    link, _ = KeyResultBenefit.objects.update_or_create(benefit=benefit, defaults={"key_result": key_result})
    return link
