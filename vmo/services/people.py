"""Writes for people in their roles, impediments, customer feedback and release trains (issue 20).

Each service is the permission gate: it raises PermissionDenied before it writes anything, so a
refused call changes nothing, on pages and API alike.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portfolio.models import MMP, Epic, Quarter, ValueStream
from portfolio.selectors.base import quarter_current
from vmo.models_people import (
    TEAM_ROLES,
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    StreamRole,
    StreamRoleKind,
)
from vmo.permissions import (
    can_assign_stream_roles,
    can_change_impediment,
    can_escalate_impediment,
    can_keep_executive_action_team,
    can_raise_impediment,
    can_record_feedback,
)

IMPEDIMENT_FIELDS = ("title", "description", "severity", "owner", "team")


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def executive_action_team_set(*, user, quarter: Quarter, charter: str, members=None) -> ExecutiveActionTeam:
    """Create or change the executive action team of a quarter (one per quarter)."""
    _deny_unless(can_keep_executive_action_team(user), "Executives own the executive action team.")
    team, _ = ExecutiveActionTeam.objects.select_for_update().get_or_create(
        quarter=quarter, defaults={"charter": charter}
    )
    team.charter = charter
    team.full_clean()
    team.save()
    if members is not None:
        team.members.set(members)
    return team


@transaction.atomic
def stream_role_assign(*, user, value_stream: ValueStream, person, role: str, team=None) -> StreamRole:
    """Give `person` a role in a value stream: a team role names one of its teams; a VMO liaison
    names none."""
    _deny_unless(can_assign_stream_roles(user, value_stream.id), "Directors and the stream's managers set its roles.")
    if role in TEAM_ROLES and team is None:
        raise ValidationError({"team": "A team role names a team of this value stream."})
    if role == StreamRoleKind.LIAISON:
        team = None
    assignment = StreamRole(value_stream=value_stream, team=team, user=person, role=role)
    assignment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        # The unique constraints are conditional; a repeat lands here rather than in full_clean.
        raise ValidationError({"user": "This person already has this role here."}) from None
    return assignment


@transaction.atomic
def stream_role_remove(*, user, assignment: StreamRole) -> None:
    _deny_unless(
        can_assign_stream_roles(user, assignment.value_stream_id), "Directors and the stream's managers set its roles."
    )
    StreamRole.objects.filter(pk=assignment.pk).delete()


@transaction.atomic
def impediment_raise(
    *,
    user,
    title: str,
    value_stream: ValueStream,
    severity: int,
    description: str = "",
    team=None,
    owner=None,
    raised_on: dt.date | None = None,
) -> Impediment:
    """Record what blocks a stream or team. Everyone logged in may."""
    _deny_unless(can_raise_impediment(user), "Log in to raise an impediment.")
    impediment = Impediment(
        title=title,
        description=description,
        value_stream=value_stream,
        team=team,
        severity=severity,
        owner=owner,
        raised_by=user,
        raised_on=raised_on or timezone.localdate(),
    )
    impediment.full_clean()
    impediment.save()
    return impediment


def _locked(impediment: Impediment) -> Impediment:
    return Impediment.objects.select_for_update().get(pk=impediment.pk)


@transaction.atomic
def impediment_update(*, user, impediment: Impediment, **fields) -> Impediment:
    """Change what an impediment says, its severity, owner or team."""
    impediment = _locked(impediment)
    _deny_unless(can_change_impediment(user, impediment), "Only its raiser, owner or the VMO change an impediment.")
    for name, value in fields.items():
        if name not in IMPEDIMENT_FIELDS:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(impediment, name, value)
    impediment.full_clean()
    impediment.save()
    return impediment


@transaction.atomic
def impediment_escalate(*, user, impediment: Impediment, today: dt.date | None = None) -> Impediment:
    """Escalate an impediment to the executive action team of the current quarter.

    Rules: only those who run events escalate (a VMO sync decision); a resolved or already
    escalated impediment is refused; the current quarter must have an executive action team.
    The row is locked so two escalations at once escalate once.
    """
    _deny_unless(can_escalate_impediment(user), "Directors and program managers escalate impediments.")
    impediment = _locked(impediment)
    if impediment.resolved_on is not None:
        raise ValidationError({"impediment": "This impediment is resolved; nothing to escalate."})
    if impediment.escalated_to_id is not None:
        raise ValidationError({"impediment": "This impediment is already escalated."})
    quarter = quarter_current(today=today or timezone.localdate())
    team = ExecutiveActionTeam.objects.filter(quarter=quarter).first() if quarter else None
    if team is None:
        raise ValidationError({"impediment": "The current quarter has no executive action team to escalate to."})
    impediment.escalated_to = team
    impediment.escalated_at = timezone.now()
    impediment.save(update_fields=["escalated_to", "escalated_at"])
    return impediment


@transaction.atomic
def impediment_resolve(
    *, user, impediment: Impediment, resolution: str = "", resolved_on: dt.date | None = None
) -> Impediment:
    """Mark an impediment resolved (once)."""
    impediment = _locked(impediment)
    _deny_unless(can_change_impediment(user, impediment), "Only its raiser, owner or the VMO change an impediment.")
    if impediment.resolved_on is not None:
        raise ValidationError({"impediment": "This impediment is already resolved."})
    impediment.resolved_on = resolved_on or timezone.localdate()
    impediment.resolution = resolution
    impediment.full_clean()
    impediment.save(update_fields=["resolved_on", "resolution"])
    return impediment


@transaction.atomic
def customer_feedback_record(
    *,
    user,
    source: str,
    received_on: dt.date,
    sentiment: str,
    quote: str,
    epic: Epic | None = None,
    mmp: MMP | None = None,
) -> CustomerFeedback:
    """Record what a customer said about an epic or one of its MMPs (the epic follows the MMP)."""
    if mmp is not None:
        if epic is not None and epic.pk != mmp.epic_id:
            raise ValidationError({"mmp": "This MMP belongs to another epic."})
        epic = mmp.epic
    if epic is None:
        raise ValidationError({"epic": "Name the epic or the MMP the feedback is about."})
    _deny_unless(
        can_record_feedback(user, epic.value_stream_id),
        "The epic's stream managers, directors and program managers record feedback.",
    )
    note = CustomerFeedback(
        epic=epic, mmp=mmp, source=source, received_on=received_on, sentiment=sentiment, quote=quote, recorded_by=user
    )
    note.full_clean()
    note.save()
    return note


def _deny_train(user, value_stream_id):
    _deny_unless(can_assign_stream_roles(user, value_stream_id), "Directors and the stream's managers set its trains.")


def _teams_of_stream(teams, value_stream_id):
    if any(t.value_stream_id != value_stream_id for t in teams):
        raise ValidationError({"teams": "A release train groups teams of its own value stream."})


@transaction.atomic
def release_train_create(*, user, value_stream: ValueStream, name: str, teams=()) -> ReleaseTrain:
    """Group some of a stream's teams into a release train."""
    _deny_train(user, value_stream.id)
    _teams_of_stream(teams, value_stream.id)
    train = ReleaseTrain(value_stream=value_stream, name=name)
    train.full_clean()
    train.save()
    if teams:
        train.teams.set(teams)
    return train


@transaction.atomic
def release_train_update(*, user, train: ReleaseTrain, name: str | None = None, teams=None, active=None):
    _deny_train(user, train.value_stream_id)
    if name is not None:
        train.name = name
    if active is not None:
        train.active = active
    train.full_clean()
    train.save()
    if teams is not None:
        _teams_of_stream(teams, train.value_stream_id)
        train.teams.set(teams)
    return train


@transaction.atomic
def program_increment_create(*, user, train: ReleaseTrain, name: str, start: dt.date, end: dt.date):
    """Add a program increment to a train; increments of a train do not overlap."""
    _deny_train(user, train.value_stream_id)
    increment = ProgramIncrement(train=train, name=name, start=start, end=end)
    increment.full_clean()
    # Lock the train so two increments added at once cannot both pass the overlap check.
    ReleaseTrain.objects.select_for_update().filter(pk=train.pk).first()
    if ProgramIncrement.objects.filter(train=train, start__lt=end, end__gt=start).exists():
        raise ValidationError({"start": "This increment overlaps another increment of the train."})
    increment.save()
    return increment


@transaction.atomic
def pi_objective_add(*, user, increment: ProgramIncrement, title: str, planned_value: int, team=None) -> PIObjective:
    """An objective planned at PI planning with its business value (1-10)."""
    _deny_train(user, increment.train.value_stream_id)
    if team is not None and team.value_stream_id != increment.train.value_stream_id:
        raise ValidationError({"team": "This team belongs to another value stream."})
    objective = PIObjective(increment=increment, title=title, planned_value=planned_value, team=team)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def pi_objective_score(*, user, objective: PIObjective, actual_value: int | None) -> PIObjective:
    """The business value the business owners gave the objective at the increment's end (0-10)."""
    _deny_train(user, objective.increment.train.value_stream_id)
    objective.actual_value = actual_value
    objective.full_clean()
    objective.save(update_fields=["actual_value"])
    return objective
