"""Writes for project (waterfall) mode: the plan, phases, milestones and stage-gate decisions.

Managers of the epic's value stream and VMO directors keep the plan, phases and milestones (the
rule for every change to an epic). A stage gate is decided by a VMO director or the project's
sponsor only; each decision is an append-only `StageGateDecision` and sets the gate's status in
the same transaction. Changes to the baseline or progress move the earned-value figures, so they
mark the value stream's rollup due.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portfolio.models import (
    DeliveryMode,
    Epic,
    GateDecision,
    Milestone,
    ProjectPhase,
    ProjectPlan,
    StageGate,
    StageGateDecision,
)
from portfolio.permissions import can_manage_value_stream, is_director
from portfolio.services.base import rollup_due_mark

PLAN_DENIED = "Only managers of this value stream and VMO directors may change its project plan."
GATE_DENIED = "Only a VMO director or the project's sponsor may decide its stage gates."


def can_decide_gate(user, epic: Epic) -> bool:
    """Directors decide every gate; a sponsor decides the gates of the projects they sponsor."""
    if not user.is_authenticated:
        return False
    if is_director(user):
        return True
    sponsor_id = ProjectPlan.objects.filter(epic_id=epic.id).values_list("sponsor_id", flat=True).first()
    return sponsor_id is not None and sponsor_id == user.id


def _check_plan_writer(user, epic: Epic) -> None:
    if not can_manage_value_stream(user, epic.value_stream_id):
        raise PermissionDenied(PLAN_DENIED)


def _check_project_mode(epic: Epic) -> None:
    if Epic.objects.with_delivery_mode().values_list("effective_delivery_mode", flat=True).get(id=epic.id) != (
        DeliveryMode.PROJECT
    ):
        raise ValidationError({"epic": "The epic is not in project mode (neither its own mode nor its stream's)."})


@transaction.atomic
def project_plan_create(
    *,
    user,
    epic: Epic,
    baseline_budget_cents: int,
    sponsor: User | None = None,
    ev_method: str = "milestones",
) -> ProjectPlan:
    """Baseline a project-mode epic and give it the configured stage gates, all pending."""
    _check_plan_writer(user, epic)
    _check_project_mode(epic)
    if ProjectPlan.objects.filter(epic_id=epic.id).exists():
        raise ValidationError({"epic": "This epic already has a project plan."})
    plan = ProjectPlan(epic=epic, sponsor=sponsor, baseline_budget_cents=baseline_budget_cents, ev_method=ev_method)
    plan.full_clean()
    plan.save()
    existing = set(StageGate.objects.filter(epic_id=epic.id).values_list("key", flat=True))
    StageGate.objects.bulk_create(
        StageGate(epic=epic, key=key, name=name, position=position)
        for position, (key, name) in enumerate(settings.PROJECT_STAGE_GATES)
        if key not in existing
    )
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return plan


@transaction.atomic
def project_plan_update(*, user, plan: ProjectPlan, **fields) -> ProjectPlan:
    """Rebaseline the budget, change the sponsor or the earned-value method."""
    _check_plan_writer(user, plan.epic)
    for name, value in fields.items():
        if name in ("baseline_budget_cents", "sponsor", "ev_method"):
            setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    rollup_due_mark(value_stream_ids=[plan.epic.value_stream_id])
    return plan


def _check_dates(start: dt.date | None, end: dt.date | None, field: str) -> None:
    if start and end and end < start:
        raise ValidationError({field: "The end comes before the start."})


@transaction.atomic
def phase_create(*, user, epic: Epic, **fields) -> ProjectPhase:
    """Add a phase; forecast dates default to the baseline's."""
    _check_plan_writer(user, epic)
    fields.setdefault("forecast_start", fields.get("baseline_start"))
    fields.setdefault("forecast_end", fields.get("baseline_end"))
    if fields.get("forecast_start") is None:
        fields["forecast_start"] = fields.get("baseline_start")
    if fields.get("forecast_end") is None:
        fields["forecast_end"] = fields.get("baseline_end")
    _check_dates(fields.get("baseline_start"), fields.get("baseline_end"), "baseline_end")
    _check_dates(fields.get("forecast_start"), fields.get("forecast_end"), "forecast_end")
    phase = ProjectPhase(epic=epic, **fields)
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def phase_update(*, user, phase: ProjectPhase, **fields) -> ProjectPhase:
    _check_plan_writer(user, phase.epic)
    fields.pop("epic", None)  # a phase stays with its epic
    for name, value in fields.items():
        setattr(phase, name, value)
    _check_dates(phase.baseline_start, phase.baseline_end, "baseline_end")
    _check_dates(phase.forecast_start, phase.forecast_end, "forecast_end")
    phase.full_clean()
    phase.save()
    return phase


def _check_phase(epic: Epic, phase: ProjectPhase | None) -> None:
    if phase is not None and phase.epic_id != epic.id:
        raise ValidationError({"phase": "That phase belongs to another epic."})


@transaction.atomic
def milestone_create(*, user, epic: Epic, **fields) -> Milestone:
    """Add a milestone; its forecast date defaults to the baseline date."""
    _check_plan_writer(user, epic)
    _check_phase(epic, fields.get("phase"))
    if fields.get("forecast_date") is None:
        fields["forecast_date"] = fields.get("baseline_date")
    milestone = Milestone(epic=epic, **fields)
    milestone.full_clean()
    milestone.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return milestone


@transaction.atomic
def milestone_update(*, user, milestone: Milestone, **fields) -> Milestone:
    """Move the forecast, record completion (`completed_on`), or rebaseline a milestone."""
    _check_plan_writer(user, milestone.epic)
    fields.pop("epic", None)
    if "phase" in fields:
        _check_phase(milestone.epic, fields["phase"])
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save()
    rollup_due_mark(value_stream_ids=[milestone.epic.value_stream_id])
    return milestone


@transaction.atomic
def stage_gate_create(*, user, epic: Epic, key: str, name: str, position: int = 0, planned_date=None) -> StageGate:
    """Add a gate beyond the configured ones (the configured set is `PROJECT_STAGE_GATES`)."""
    _check_plan_writer(user, epic)
    if StageGate.objects.filter(epic_id=epic.id, key=key).exists():
        raise ValidationError({"key": f"This project already has a gate {key!r}."})
    gate = StageGate(epic=epic, key=key, name=name, position=position, planned_date=planned_date)
    gate.full_clean()
    gate.save()
    return gate


@transaction.atomic
def stage_gate_update(*, user, gate: StageGate, **fields) -> StageGate:
    """Rename, reorder or replan a gate; its status changes only by a decision."""
    _check_plan_writer(user, gate.epic)
    for name in ("name", "position", "planned_date"):
        if name in fields:
            setattr(gate, name, fields[name])
    gate.full_clean()
    gate.save()
    return gate


@transaction.atomic
def stage_gate_decide(*, user, gate_id: int, decision: str, note: str = "") -> StageGateDecision:
    """Approve or reject a stage gate: a director or the sponsor, with a note; the record keeps
    who and when. The gate row is locked so two deciders serialise and the status is the latest
    decision's."""
    gate = StageGate.objects.select_for_update().select_related("epic").get(id=gate_id)
    if not can_decide_gate(user, gate.epic):
        raise PermissionDenied(GATE_DENIED)
    if decision not in GateDecision.values:
        raise ValidationError({"decision": f"The decision is one of {', '.join(GateDecision.values)}."})
    note = note.strip()
    if decision == GateDecision.REJECTED and not note:
        raise ValidationError({"note": "Say why the gate is rejected."})
    record = StageGateDecision(gate=gate, decision=decision, note=note, decided_by=user, decided_at=timezone.now())
    record.full_clean()
    record.save()
    StageGate.objects.filter(id=gate.id).update(status=decision)
    gate.status = decision
    return record
