"""Writes for fixed-cost teams, their sprints and epics' top-down cost estimates (a value
stream's managers and directors)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding.models import EpicEstimate, Team, TeamSprint
from funding.services.common import audit, require_stream_manager
from portfolio.models import Epic, ValueStream, WorkItem
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


# A sprint names at most this many work items: a larger list is a mistake, not a sprint.
SPRINT_ITEMS_MAX = 500


def _sprint_work_items(*, team: Team, ids: Iterable[int], external_ids: Iterable[str]) -> list[int]:
    """The work items named by id or by external id, all of the team's value stream; two queries
    whatever the number. Every unknown or ambiguous name is reported at once."""
    ids, external_ids = set(ids), {value.strip() for value in external_ids if value.strip()}
    if len(ids) + len(external_ids) > SPRINT_ITEMS_MAX:
        raise ValidationError({"work_items": f"At most {SPRINT_ITEMS_MAX} work items per sprint."})
    items = WorkItem.objects.filter(value_stream_id=team.value_stream_id)
    found = set(items.filter(id__in=ids).values_list("id", flat=True)) if ids else set()
    errors = []
    if ids - found:
        unknown = ", ".join(str(i) for i in sorted(ids - found))
        errors.append(f"No work item of {team.value_stream.name} with id {unknown}.")
    if external_ids:
        # external ids are unique per source only: one naming items of two sources is ambiguous
        by_external: dict[str, list[int]] = {}
        for item_id, external_id in items.filter(external_id__in=external_ids).values_list("id", "external_id"):
            by_external.setdefault(external_id, []).append(item_id)
        missing = sorted(external_ids - by_external.keys())
        ambiguous = sorted(name for name, matches in by_external.items() if len(matches) > 1)
        if missing:
            errors.append(f"No work item of {team.value_stream.name} with external id {', '.join(missing)}.")
        if ambiguous:
            errors.append(f"External id {', '.join(ambiguous)} names items of several sources: use their ids.")
        found |= {matches[0] for matches in by_external.values() if len(matches) == 1}
    if errors:
        raise ValidationError({"work_items": errors})
    return sorted(found)


@transaction.atomic
def team_sprint_record(
    *,
    user,
    team: Team,
    start: dt.date,
    end: dt.date,
    cost_cents: int | None = None,
    work_item_ids: Iterable[int] = (),
    work_item_external_ids: Iterable[str] = (),
    committed_size: int | None = None,
    done_size: int | None = None,
) -> TeamSprint:
    """Record a sprint of a fixed-cost team and the work items it delivered (managers of the
    team's value stream and directors). The cost defaults to the team's cost per sprint today;
    the sprint keeps it, so a later change of rate does not rewrite the past. The actual cost
    per epic spreads it over the epics of those work items (`funding.selectors.actuals`).
    `committed_size` / `done_size`, when typed, stand for the work items' figures (velocity and
    say/do read them first)."""
    require_stream_manager(user, team.value_stream_id)
    if not team.active:
        raise ValidationError({"team": f"{team.name} is not active."})
    sprint = TeamSprint(
        team=team,
        start=start,
        end=end,
        cost_cents=team.cost_per_sprint_cents if cost_cents is None else cost_cents,
        committed_size=committed_size,
        done_size=done_size,
    )
    errors = {}
    if end < start:
        errors["end"] = "A sprint ends on or after its start."
    if sprint.cost_cents < 0:
        errors["cost"] = "Cost cannot be negative."
    for name, value in (("committed_size", committed_size), ("done_size", done_size)):
        if value is not None and value < 0:
            errors[name] = "A size cannot be negative."
    if errors:
        raise ValidationError(errors)
    items = _sprint_work_items(team=team, ids=work_item_ids, external_ids=work_item_external_ids)
    sprint.full_clean()  # one sprint per team and start day
    try:
        with transaction.atomic():  # a savepoint: a racing twin fails its unique start as a 400
            sprint.save()
    except IntegrityError as exc:
        raise ValidationError({"start": f"{team.name} already has a sprint starting {start}."}) from exc
    sprint.work_items.set(items)
    rollup_due_mark(value_stream_ids=[team.value_stream_id])
    return sprint
