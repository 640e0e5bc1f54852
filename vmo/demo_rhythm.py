"""Demo of the VMO's rhythm (issue 20): last quarter's inspect and adapt with its timed agenda,
system demo, problem-solving workshop and improvement items, the VMO's retrospective of last
quarter and a team's retrospective this quarter; some backlog items moved to the long term.

Idempotent: events are found by (kind, quarter, title) and filled only when first created; a
few dozen rows in all, written through the services (each event's agenda in one bulk update).
"""

import datetime as dt

from django.db import transaction

from funding.selectors.teams import team_list
from portfolio.models import Epic
from vmo.models import ActionItem, AgendaItem, PlanningEvent, PlanningEventKind
from vmo.services import event_outputs as outputs
from vmo.services import planning as services
from vmo.services.backlog import action_item_create

# Minutes each agenda line actually took, in agenda order.
INSPECT_ADAPT_ACTUALS = (70, 35, 25, 100, 15)
RETRO_ACTUALS = (5, 20, 25, 15, 5)

LONG_TERM_TITLES = (
    "Agree the funding guardrails for next quarter",
    "Review the VSM role description",
)


def _event(*, kind, quarter, title, date, by, attendees, team=None):
    """The event and whether it was just created (only a new event gets its outputs)."""
    event = PlanningEvent.objects.filter(kind=kind, quarter=quarter, title=title).first()
    if event is not None:
        return event, False
    event = services.planning_event_create(
        kind=kind, quarter=quarter, title=title, date=date, created_by=by, attendees=attendees, team=team
    )
    return event, True


def _time_agenda(event, actuals) -> None:
    lines = list(AgendaItem.objects.filter(event=event).order_by("position"))
    for line, minutes in zip(lines, actuals, strict=False):
        line.actual_minutes = minutes
        line.done = True
    AgendaItem.objects.bulk_update(lines, ["actual_minutes", "done"])


def _inspect_adapt(ctx, *, director, pm, executive, vsm, vsm2) -> None:
    last = ctx.quarters["last"]
    event, created = _event(
        kind=PlanningEventKind.INSPECT_AND_ADAPT,
        quarter=last,
        title=f"Inspect and adapt {last.code}",
        date=last.end - dt.timedelta(days=3),
        by=pm,
        attendees=[director, pm, executive, vsm, vsm2],
    )
    if not created:
        return
    _time_agenda(event, INSPECT_ADAPT_ACTUALS)
    epics = list(Epic.objects.filter(value_stream__in=ctx.value_streams).order_by("key")[:3])
    shows = (
        ("Instant refunds in the mobile app", vsm, "Customers in the pilot asked for partial refunds too."),
        ("Self-service onboarding, first release", vsm2, "Compliance wants the ID check audit trail visible."),
        ("Portfolio dashboard with live flow metrics", pm, "Executives want the trend of the last four quarters."),
    )
    for i, (shown, by, feedback) in enumerate(shows):
        outputs.system_demo_add(
            event=event,
            shown=shown,
            presented_by=by,
            epic=epics[i] if i < len(epics) else None,
            feedback=feedback,
            by=pm,
        )
    outputs.retro_note_add(event=event, kind="went_well", text="Every stream demoed working software", by=pm)
    outputs.retro_note_add(event=event, kind="to_improve", text="Results arrived late to the room", by=pm)
    workshops = (
        (
            "Releases slip at the end of the quarter",
            "Manual regression testing; a shared test environment booked weeks ahead; late dependencies.",
            (
                ("Automate the payments regression suite", vsm, 60),
                ("Give each stream its own test environment", director, 90),
            ),
        ),
        (
            "Business value is planned but not measured",
            "No benefit owner per epic; measurements collected by hand once a quarter.",
            (("Name a benefit owner for every funded epic", executive, 30),),
        ),
    )
    for problem, causes, improvements in workshops:
        workshop = outputs.problem_workshop_add(event=event, problem=problem, root_causes=causes, by=pm)
        for title, owner, days in improvements:
            outputs.improvement_item_add(
                workshop=workshop,
                title=title,
                owner=owner,
                due=last.end + dt.timedelta(days=days),
                description=f"Improvement from the {last.code} inspect and adapt: {problem.lower()}.",
                by=pm,
            )
    services.planning_event_close(event=event)


def _retrospectives(ctx, *, director, pm, executive, vsm) -> None:
    last, current = ctx.quarters["last"], ctx.quarters["current"]
    vmo_retro, created = _event(
        kind=PlanningEventKind.RETROSPECTIVE,
        quarter=last,
        title=f"VMO retrospective {last.code}",
        date=last.end - dt.timedelta(days=1),
        by=pm,
        attendees=[director, pm, executive],
    )
    if created:
        _time_agenda(vmo_retro, RETRO_ACTUALS)
        for kind, text in (
            ("went_well", "The quarterly planning finished within its day"),
            ("went_well", "Budgets were approved before the quarter started"),
            ("to_improve", "Action items from the kickoff stayed open too long"),
            ("to_improve", "Value stream managers joined the sync irregularly"),
        ):
            outputs.retro_note_add(event=vmo_retro, kind=kind, text=text, by=pm)
        services.planning_event_close(event=vmo_retro)

    team = team_list().filter(value_stream__in=ctx.value_streams, active=True).order_by("id").first()
    title = f"{team.name} retrospective {current.code}" if team else f"Team retrospective {current.code}"
    team_retro, created = _event(
        kind=PlanningEventKind.RETROSPECTIVE,
        quarter=current,
        title=title,
        date=current.start + dt.timedelta(days=13),
        by=pm,
        attendees=[pm, vsm],
        team=team,
    )
    if created:
        _time_agenda(team_retro, RETRO_ACTUALS[:3])
        for kind, text in (
            ("went_well", "Pairing on the refunds API"),
            ("to_improve", "Flaky end-to-end tests block merges"),
        ):
            outputs.retro_note_add(event=team_retro, kind=kind, text=text, by=pm)
        action_item_create(
            title="Quarantine flaky end-to-end tests",
            owner=vsm,
            created_by=pm,
            source_event=team_retro,
            due=current.start + dt.timedelta(days=27),
            description="Move the flaky tests to a nightly job until fixed.",
        )


@transaction.atomic
def seed_rhythm(ctx) -> None:
    """Fill the demo's inspect and adapt and two retrospectives (after `vmo.demo.seed`)."""
    users = ctx.users
    people = {"director": users["director"], "pm": users["pm"], "executive": users["executive"]}
    _inspect_adapt(ctx, vsm=users["vsm"], vsm2=users["vsm2"], **people)
    _retrospectives(ctx, vsm=users["vsm"], **people)
    # The office's longer-range items live in the long-term backlog (one UPDATE, idempotent).
    ActionItem.objects.filter(title__in=LONG_TERM_TITLES).update(horizon="long_term")
