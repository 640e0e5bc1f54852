"""The one move service of the portfolio Kanban, used by the board page and the API alike."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from funding.selectors import approval_threshold_cents, funding_room
from funding.services import funding_override_record
from kanban.models import ENTRY_CHECKS, EntryCheck, EntryPolicyOption, Transition, WipLimit
from portfolio.models import (
    EPIC_FLOW,
    MMP,
    Epic,
    EpicState,
    MMPKind,
    MMPStatus,
    MvpDecision,
    MvpEvaluation,
    MvpResult,
)
from portfolio.models.epics import HYPOTHESIS_FIELDS
from portfolio.money import format_amount
from portfolio.permissions import can_manage_value_stream, is_director
from portfolio.selectors.projects import implementing_gate_unmet
from portfolio.services.base import rollup_due_mark
from portfolio.services.events import EventType, event_record


class MoveRefused(Exception):
    """The move breaks entry policies or WIP limits; `conditions` lists every unmet one."""

    def __init__(self, conditions: list[str]):
        super().__init__("; ".join(conditions))
        self.conditions = conditions


class MoveConflict(Exception):
    """The move named a stale version: someone else moved or edited the card first."""

    def __init__(self, *, state: str, version: int):
        super().__init__(f"The epic changed meanwhile: it is now in {state} at version {version}.")
        self.state = state
        self.version = version


@dataclass(frozen=True)
class MoveResult:
    epic: Epic
    transition: Transition


def is_backward(from_state: str, to_state: str) -> bool:
    if to_state == EpicState.NOT_PURSUED:
        return False
    if from_state == EpicState.NOT_PURSUED:
        return True
    return EPIC_FLOW.index(to_state) < EPIC_FLOW.index(from_state)


def entry_conditions(*, epic: Epic, to_state: str) -> list[str]:
    """Every unmet entry policy for `epic` to enter `to_state` (empty: the policies allow it).

    A forward move that skips columns must meet the policies of every column it skips, so
    jumping from the funnel to analyzing still needs an owner and a hypothesis statement.
    """
    if to_state == EpicState.NOT_PURSUED or epic.state == EpicState.NOT_PURSUED:
        return []
    start = EPIC_FLOW.index(epic.state) + 1
    end = EPIC_FLOW.index(to_state)
    states = EPIC_FLOW[start : end + 1]
    off = switched_off_checks(states=states)
    unmet: list[str] = []
    for state in states:
        unmet.extend(_entry_policy(epic=epic, state=state, off=off.get(state, frozenset())))
    return unmet


def switched_off_checks(*, states) -> dict[str, frozenset[str]]:
    """The entry checks directors switched off, per state, for the columns a move enters (one
    query, and none when no column it enters has optional checks)."""
    states = [state for state in states if state in ENTRY_CHECKS]
    if not states:
        return {}
    off: dict[str, set[str]] = {}
    for state, check in EntryPolicyOption.objects.filter(state__in=states, required=False).values_list(
        "state", "entry_check"
    ):
        off.setdefault(state, set()).add(check)
    return {state: frozenset(checks) for state, checks in off.items()}


def _entry_policy(*, epic: Epic, state: str, off: frozenset[str] = frozenset()) -> list[str]:
    unmet: list[str] = []
    if state == EpicState.REVIEWING:
        if EntryCheck.OWNER not in off and epic.owner_id is None:
            unmet.append("Reviewing needs an epic owner.")
        missing = [Epic._meta.get_field(name).verbose_name for name in HYPOTHESIS_FIELDS if not getattr(epic, name)]
        if EntryCheck.HYPOTHESIS not in off and missing:
            unmet.append(f"Reviewing needs the epic hypothesis statement (missing: {', '.join(missing)}).")
    elif state == EpicState.ANALYZING:
        missing = [
            Epic._meta.get_field(name).verbose_name
            for name in ("business_value", "time_criticality", "risk_reduction", "job_size")
            if getattr(epic, name) is None
        ]
        if EntryCheck.WSJF not in off and missing:
            unmet.append(f"Analyzing needs WSJF scores (missing: {', '.join(missing)}).")
    elif state == EpicState.BACKLOG:
        if EntryCheck.BUSINESS_CASE not in off and not epic.business_outcome_hypothesis.strip():
            unmet.append("Portfolio backlog needs a lean business case (business outcome hypothesis).")
        if EntryCheck.MVP not in off and not epic.mvp_definition.strip():
            unmet.append("Portfolio backlog needs an MVP definition.")
        if EntryCheck.COST_ESTIMATE not in off and epic.estimated_cost_cents is None:
            unmet.append("Portfolio backlog needs a cost estimate.")
        if EntryCheck.GO_DECISION not in off and epic.go_decision_at is None:
            unmet.append("Portfolio backlog needs a recorded go decision.")
        threshold = approval_threshold_cents(epic=epic)
        if (
            threshold is not None
            and epic.estimated_cost_cents is not None
            and epic.estimated_cost_cents > threshold
            and (epic.go_decision_at is None or epic.go_decision_by is None or not is_director(epic.go_decision_by))
        ):
            unmet.append(
                f"The cost {format_amount(epic.estimated_cost_cents)} is above the approval threshold "
                f"{format_amount(threshold)}: a VMO director must record the go decision."
            )
    elif state == EpicState.IMPLEMENTING:
        # Project (waterfall) mode: execution starts once the planning gate is passed.
        gate = implementing_gate_unmet(epic=epic)
        if gate:
            unmet.append(gate)
    return unmet


def _wip_conditions(*, epic: Epic, to_state: str) -> list[str]:
    """Lock the WIP limits of the target column and count what is already in it.

    Why the lock: two moves of *different* epics into a column with one free slot each lock only
    their own epic row, both count "one free", and both would commit, overfilling the column.
    Locking the column's WipLimit rows (in id order, so two movers never deadlock) makes the
    second mover wait until the first commits; under READ COMMITTED its count then runs with a
    fresh snapshot and sees the first epic already in the column. On SQLite the IMMEDIATE
    transaction already serialises writers.
    """
    limits = list(
        WipLimit.objects.select_for_update()
        .filter(Q(value_stream__isnull=True) | Q(value_stream_id=epic.value_stream_id), state=to_state)
        .order_by("id")
    )
    unmet: list[str] = []
    label = EpicState(to_state).label
    for limit in limits:
        in_column = Epic.objects.filter(state=to_state)
        if limit.value_stream_id is not None:
            in_column = in_column.filter(value_stream_id=limit.value_stream_id)
        count = in_column.count()
        if count >= limit.limit:
            scope = "in this value stream" if limit.value_stream_id is not None else "in the portfolio"
            unmet.append(f"{label} is at its WIP limit {scope} ({count} of {limit.limit}).")
    return unmet


@transaction.atomic
def epic_move(
    *,
    epic_id: int,
    user,
    to_state: str,
    version: int,
    reason: str = "",
    override_funding: bool = False,
) -> MoveResult:
    """Move an epic to another column of the portfolio Kanban.

    In one transaction: lock the epic row, check the caller's right and the version (stale: 409,
    nothing written), check every entry policy and WIP limit (refused: 400 listing all unmet
    conditions, nothing written), then write a `Transition` and bump the version with a
    conditional UPDATE. Backward moves skip entry policies but need a reason.
    """
    epic = Epic.objects.select_for_update(of=("self",)).select_related("go_decision_by").get(id=epic_id)
    if not can_manage_value_stream(user, epic.value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may move its epics.")
    if epic.version != version:
        raise MoveConflict(state=epic.state, version=epic.version)
    if to_state not in EpicState.values:
        raise MoveRefused([f"{to_state!r} is not a state of the portfolio Kanban."])
    reason = reason.strip()
    if to_state == epic.state:
        raise MoveRefused([f"The epic is already in {EpicState(to_state).label}."])

    unmet: list[str] = []
    backward = is_backward(epic.state, to_state)
    if backward and not reason:
        unmet.append("A backward move needs a reason.")
    if to_state == EpicState.NOT_PURSUED and not reason:
        unmet.append("Say why the epic is not pursued.")
    if not backward:
        unmet.extend(entry_conditions(epic=epic, to_state=to_state))
    funding_override = False
    if to_state == EpicState.IMPLEMENTING:
        check = funding_room(epic=epic)
        if not check.allowed:
            if override_funding and is_director(user) and reason:
                funding_override = True
            elif override_funding and not is_director(user):
                unmet.append("Only a VMO director may override the funding room check.")
            elif override_funding:
                unmet.append("A funding override needs a reason.")
            else:
                unmet.append(check.message or "The value stream has no funding room for this epic.")
    unmet.extend(_wip_conditions(epic=epic, to_state=to_state))
    if unmet:
        raise MoveRefused(unmet)

    now = timezone.now()
    from_state = epic.state
    # The row is locked, so this cannot miss; the version in WHERE keeps the move safe even
    # where select_for_update is a no-op, and the row count proves it.
    updated = Epic.objects.filter(id=epic.id, version=version).update(
        state=to_state, version=F("version") + 1, state_changed_at=now
    )
    if updated != 1:
        current = Epic.objects.values("state", "version").get(id=epic.id)
        raise MoveConflict(state=current["state"], version=current["version"])
    transition = Transition.objects.create(
        epic=epic, from_state=from_state, to_state=to_state, by=user, at=now, reason=reason
    )
    if funding_override:
        funding_override_record(user=user, epic=epic, reason=reason)
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    event_record(
        event_type=EventType.EPIC_MOVED,
        payload={
            "epic": epic.id,
            "key": epic.key,
            "value_stream": epic.value_stream_id,
            "from_state": from_state,
            "to_state": to_state,
            "version": version + 1,
            "by": user.pk,
            "reason": reason,
            "at": now.isoformat(),
        },
    )
    epic.state = to_state
    epic.version = version + 1
    epic.state_changed_at = now
    return MoveResult(epic=epic, transition=transition)


# What each MVP decision does to the epic's card: persevere keeps it where it is (implementing),
# pivot sends it back to analyzing for a new hypothesis, stop ends it as not pursued.
MVP_DECISION_STATE = {
    MvpDecision.PERSEVERE: None,
    MvpDecision.PIVOT: EpicState.ANALYZING,
    MvpDecision.STOP: EpicState.NOT_PURSUED,
}


@transaction.atomic
def mvp_evaluation_record(
    *, user, epic_id: int, mmp_id: int, result: str, evidence: str, decision: str, reason: str
) -> MvpEvaluation:
    """Record the verdict on a released MVP's hypothesis and act on it through `epic_move`.

    One transaction: the evaluation row and the move (with its `Transition`, who and why) are
    written together or not at all; a refused move refuses the evaluation.
    """
    epic = Epic.objects.select_for_update(of=("self",)).get(id=epic_id)
    if not can_manage_value_stream(user, epic.value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may evaluate its MVP.")
    errors: dict[str, str] = {}
    mmp = MMP.objects.filter(id=mmp_id, epic_id=epic.id).first()
    if mmp is None or mmp.kind != MMPKind.MVP:
        errors["mmp"] = "Name an MVP of this epic."
    elif mmp.status != MMPStatus.RELEASED:
        errors["mmp"] = "The MVP is evaluated once it is released."
    if result not in MvpResult.values:
        errors["result"] = f"The result is one of {', '.join(MvpResult.values)}."
    if decision not in MvpDecision.values:
        errors["decision"] = f"The decision is one of {', '.join(MvpDecision.values)}."
    if not evidence.strip():
        errors["evidence"] = "Give the evidence for the result."
    if not reason.strip():
        errors["reason"] = "Say why this decision."
    if errors:
        raise ValidationError(errors)
    from_state = epic.state
    to_state = MVP_DECISION_STATE[MvpDecision(decision)]
    if decision == MvpDecision.PERSEVERE and epic.state != EpicState.IMPLEMENTING:
        raise ValidationError({"decision": "Persevere keeps an implementing epic going; this one is not implementing."})
    if to_state is not None:
        label = MvpDecision(decision).label
        epic_move(
            epic_id=epic.id,
            user=user,
            to_state=to_state,
            version=epic.version,
            reason=f"MVP {MvpResult(result).label.lower()}: {label.lower()}. {reason.strip()}",
        )
    evaluation = MvpEvaluation(
        epic=epic,
        mmp=mmp,
        result=result,
        evidence=evidence.strip(),
        decision=decision,
        reason=reason.strip(),
        from_state=from_state,
        to_state=to_state or from_state,
        decided_by=user,
        decided_at=timezone.now(),
    )
    evaluation.full_clean()
    evaluation.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return evaluation
