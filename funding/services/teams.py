"""Writes for fixed-cost teams and epics' top-down cost estimates (a value stream's managers and directors)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from funding.models import EpicEstimate, Team
from funding.services.common import audit, require_stream_manager
from portfolio.models import Epic, ValueStream
from portfolio.services.base import rollup_due_mark


@transaction.atomic
def team_create(*, user, value_stream: ValueStream, name: str, cost_per_sprint_cents: int, **fields) -> Team:
    """A fixed-cost team of a value stream (its managers and directors may add one)."""
    require_stream_manager(user, value_stream.pk)
    members = fields.pop("members", None)
    team = Team(value_stream=value_stream, name=name, cost_per_sprint_cents=cost_per_sprint_cents, **fields)
    team.full_clean()
    audit(team, user=user)
    team.save()
    if members is not None:
        team.members.set(members)
    rollup_due_mark(value_stream_ids=[value_stream.pk])
    return team


@transaction.atomic
def team_update(*, user, team: Team, **fields) -> Team:
    """Change a team; moving it to another stream needs the right on both streams."""
    require_stream_manager(user, team.value_stream_id)
    members = fields.pop("members", None)
    old_stream = team.value_stream_id
    for name, value in fields.items():
        setattr(team, name, value)
    require_stream_manager(user, team.value_stream_id)
    team.full_clean()
    audit(team, user=user)
    team.save()
    if members is not None:
        team.members.set(members)
    rollup_due_mark(value_stream_ids=[old_stream, team.value_stream_id])
    return team


@transaction.atomic
def epic_estimate_set(
    *, user, epic: Epic, amount_cents: int | None = None, team: Team | None = None, sprints: int | None = None
) -> EpicEstimate:
    """An epic's top-down estimate, as money or as N sprints of a team (then money = N x cost per sprint).

    Keeps `Epic.estimated_cost_cents` equal to the estimate, in the same transaction.
    """
    require_stream_manager(user, epic.value_stream_id)
    if team is not None or sprints is not None:
        if team is None or not sprints:
            raise ValidationError({"sprints": "Give both a team and a number of sprints (at least 1)."})
        if not team.active:
            raise ValidationError({"team": f"{team.name} is not active."})
        amount_cents = sprints * team.cost_per_sprint_cents
    elif amount_cents is None:
        raise ValidationError({"amount": "Give an amount or a number of sprints of a team."})
    if amount_cents < 0:
        raise ValidationError({"amount": "Amount cannot be negative."})
    estimate = EpicEstimate.objects.filter(epic=epic).first() or EpicEstimate(epic=epic)
    estimate.team, estimate.sprints, estimate.amount_cents, estimate.updated_by = team, sprints, amount_cents, user
    estimate.full_clean()
    audit(estimate, user=user)
    estimate.save()
    epic = Epic.objects.select_for_update().get(pk=epic.pk)
    epic.estimated_cost_cents = amount_cents
    audit(epic, user=user, reason="cost estimate")
    epic.save(update_fields=["estimated_cost_cents", "updated_at"])
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return estimate
