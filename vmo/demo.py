"""Demo office: a completed VMO kickoff, a closed quarterly planning event with its outputs,
and a VMO backlog. Idempotent: events and items are found by their natural keys (kind, quarter,
title); outputs are added only when an event is first created. MMPs, risks and dependencies are
linked only if the epic seeder created some."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portfolio.models import MMP, Dependency, Risk
from vmo.models import ActionItem, ActionItemStatus, PlanningEvent, PlanningEventKind, Priority
from vmo.services import backlog as backlog_services
from vmo.services import planning as services

BACKLOG = (
    # title, owner, due offset (days from today), status, priority
    ("Publish the quarter's OKRs on the intranet", "pm", -5, ActionItemStatus.IN_PROGRESS, Priority.HIGH),
    ("Agree the funding guardrails for next quarter", "director", 20, ActionItemStatus.OPEN, Priority.HIGH),
    ("Sponsor the lending decisioning MVP", "executive", 10, ActionItemStatus.OPEN, Priority.MEDIUM),
    ("Nominate a liaison for the data platform", "executive", -2, ActionItemStatus.OPEN, Priority.MEDIUM),
    ("Review the VSM role description", "pm", 30, ActionItemStatus.OPEN, Priority.LOW),
    ("Share the kickoff norms and values", "pm", -40, ActionItemStatus.DONE, Priority.MEDIUM),
)


@transaction.atomic
def seed(ctx) -> None:
    users = ctx.users
    director, pm, executive = users["director"], users["pm"], users["executive"]
    last, current = ctx.quarters["last"], ctx.quarters["current"]

    kickoff = PlanningEvent.objects.filter(kind=PlanningEventKind.KICKOFF, quarter=last, title="VMO kickoff").first()
    if kickoff is None:
        kickoff = services.planning_event_create(
            kind=PlanningEventKind.KICKOFF,
            quarter=last,
            title="VMO kickoff",
            date=last.start + dt.timedelta(days=3),
            created_by=director,
            attendees=[director, pm, executive, users["vsm"], users["vsm2"]],
            notes="Launch of the Value Management Office with the executive action team.",
        )
        kickoff.agenda.update(done=True)
        backlog_services.action_item_create(
            title="Schedule the first quarterly planning",
            owner=pm,
            created_by=pm,
            source_event=kickoff,
            due=last.start + dt.timedelta(days=20),
            status=ActionItemStatus.DONE,
            priority=Priority.HIGH,
        )
        services.planning_event_close(event=kickoff)

    title = f"Quarterly planning {current.code}"
    planning = PlanningEvent.objects.filter(
        kind=PlanningEventKind.QUARTERLY_PLANNING, quarter=current, title=title
    ).first()
    if planning is None:
        planning = services.planning_event_create(
            kind=PlanningEventKind.QUARTERLY_PLANNING,
            quarter=current,
            title=title,
            date=current.start + dt.timedelta(days=1),
            created_by=pm,
            attendees=[director, pm, executive, users["vsm"], users["vsm2"]],
            notes="Reviewed last quarter, set OKRs, selected MMPs within each stream's allocation.",
        )
        planning.agenda.update(done=True)
        for mmp in MMP.objects.exclude(status__in=["released", "canceled"]).order_by("id")[:6]:
            services.planned_mmp_add(event=planning, mmp=mmp)
        services.planning_event_link(
            event=planning,
            risks=list(Risk.objects.order_by("id")[:3]),
            dependencies=list(Dependency.objects.order_by("id")[:2]),
        )
        for audience, message, channel, owner, days in (
            ("All staff", "The quarter's OKRs and what they mean for each team", "Town hall", executive, 7),
            ("Value stream teams", "Selected MMPs and their budgets", "Team briefings", pm, 10),
            ("Board", "Portfolio budget and expected outcomes", "Board pack", director, 14),
        ):
            services.communication_item_add(
                event=planning,
                audience=audience,
                message=message,
                channel=channel,
                owner=owner,
                date=current.start + dt.timedelta(days=days),
            )
        for item_title, owner, days in (
            ("Confirm the lending MVP budget with finance", executive, 14),
            ("Resolve the payments / onboarding API dependency", pm, 21),
        ):
            backlog_services.action_item_create(
                title=item_title,
                owner=owner,
                created_by=pm,
                source_event=planning,
                due=current.start + dt.timedelta(days=days),
                priority=Priority.HIGH,
            )
        services.planning_event_close(event=planning)

    today = timezone.localdate()
    for title, owner, offset, status, priority in BACKLOG:
        if ActionItem.objects.filter(title=title).exists():
            continue
        backlog_services.action_item_create(
            title=title,
            owner=users[owner],
            created_by=pm,
            due=today + dt.timedelta(days=offset),
            status=status,
            priority=priority,
        )
