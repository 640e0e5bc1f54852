"""Demo people and obstacles (issue 20): the executive action team of the current quarter, VMO
liaisons and team roles, a dozen impediments (some escalated, some resolved), customer feedback
on several epics and one release train with two program increments.

Set-based and idempotent: each kind of row is found by its natural key and only the missing ones
are bulk-created, so running seed_demo twice gives the same data.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from funding.selectors.teams import teams_of_value_streams
from portfolio.models import Epic
from vmo.models_people import (
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    Sentiment,
    Severity,
    StreamRole,
    StreamRoleKind,
)

CHARTER = (
    "Remove the systemic obstacles the value streams cannot remove themselves: people, tools, "
    "funding and policies. Meets after each VMO sync; owns every escalated impediment until it is resolved."
)

# title, stream index, severity, raised days ago, escalated, resolved days ago (None: open)
IMPEDIMENTS = (
    ("No shared test environment for payment partners", 0, Severity.CRITICAL, 40, True, None),
    ("Security review queue takes six weeks", 0, Severity.HIGH, 30, True, None),
    ("Team members split across three projects", 1, Severity.HIGH, 25, True, None),
    ("No budget for load-testing tools", 1, Severity.MEDIUM, 20, False, None),
    ("Data platform access needs a ticket per table", 2, Severity.MEDIUM, 18, False, None),
    ("Product owner also runs the support rota", 0, Severity.MEDIUM, 15, False, None),
    ("Release approvals wait for a monthly board", 1, Severity.HIGH, 12, True, 3),
    ("Build servers out of disk every Friday", 0, Severity.LOW, 10, False, 6),
    ("No UX designer on the lending team", 1, Severity.HIGH, 9, False, None),
    ("Vendor API sandbox down for a week", 2, Severity.MEDIUM, 7, False, 2),
    ("On-call load leaves no time for debt", 0, Severity.MEDIUM, 5, False, None),
    ("Legal sign-off template missing for MVPs", 2, Severity.LOW, 3, False, None),
)

# epic position (in key order), source, days ago, sentiment, quote
FEEDBACK = (
    (0, "Merchant interview", 4, Sentiment.POSITIVE, "Settlement the same day changed how we plan our cash."),
    (0, "Support ticket", 12, Sentiment.NEGATIVE, "The refund screen times out with more than 50 lines."),
    (1, "NPS survey", 8, Sentiment.NEUTRAL, "Works, but onboarding still needs a phone call."),
    (2, "Customer advisory board", 20, Sentiment.POSITIVE, "The new statements are exactly what our auditors want."),
    (3, "App store review", 2, Sentiment.NEGATIVE, "Two-factor login fails when travelling."),
    (4, "Sales call", 35, Sentiment.POSITIVE, "Instant credit decisions won us this client."),
)


@transaction.atomic
def seed_people(ctx) -> None:
    today, users = ctx.today, ctx.users
    current = ctx.quarters["current"]
    streams = ctx.value_streams

    eat, created = ExecutiveActionTeam.objects.get_or_create(quarter=current, defaults={"charter": CHARTER})
    if created:
        eat.members.set([users["executive"], users["director"]])

    _seed_roles(ctx)
    _seed_impediments(ctx, eat)
    _seed_feedback(ctx)
    _seed_train(ctx, streams[0], today)


def _seed_roles(ctx) -> None:
    users, streams = ctx.users, ctx.value_streams
    wanted = [StreamRole(value_stream=vs, user=users["pm"], role=StreamRoleKind.LIAISON) for vs in streams[:3]]
    teams = list(teams_of_value_streams(value_stream_ids=[vs.id for vs in streams[:2]]))
    for team in teams:
        manager = users["vsm"] if team.value_stream_id == streams[0].id else users["vsm2"]
        wanted.append(
            StreamRole(value_stream_id=team.value_stream_id, team=team, user=manager, role=StreamRoleKind.PRODUCT_OWNER)
        )
    have = set(StreamRole.objects.values_list("value_stream_id", "team_id", "user_id", "role"))
    StreamRole.objects.bulk_create([r for r in wanted if (r.value_stream_id, r.team_id, r.user_id, r.role) not in have])


def _seed_impediments(ctx, eat) -> None:
    today, users, streams = ctx.today, ctx.users, ctx.value_streams
    have = set(Impediment.objects.values_list("title", flat=True))
    raisers = (users["vsm"], users["vsm2"], users["pm"])
    escalated_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10)))
    Impediment.objects.bulk_create(
        [
            Impediment(
                title=title,
                value_stream=streams[index % len(streams)],
                severity=severity,
                raised_by=raisers[n % len(raisers)],
                raised_on=today - dt.timedelta(days=days),
                owner=users["executive"] if escalate else raisers[n % len(raisers)],
                escalated_to=eat if escalate else None,
                escalated_at=escalated_at if escalate else None,
                resolved_on=today - dt.timedelta(days=resolved) if resolved is not None else None,
                resolution="Removed by the executive action team." if resolved is not None and escalate else "",
            )
            for n, (title, index, severity, days, escalate, resolved) in enumerate(IMPEDIMENTS)
            if title not in have
        ]
    )


def _seed_feedback(ctx) -> None:
    today = ctx.today
    epics = list(Epic.objects.filter(value_stream__in=ctx.value_streams).order_by("key")[:5])
    if not epics:
        return
    have = set(CustomerFeedback.objects.values_list("epic_id", "quote"))
    CustomerFeedback.objects.bulk_create(
        [
            CustomerFeedback(
                epic=epics[index % len(epics)],
                source=source,
                received_on=today - dt.timedelta(days=days),
                sentiment=sentiment,
                quote=quote,
                recorded_by=ctx.users["pm"],
            )
            for index, source, days, sentiment, quote in FEEDBACK
            if (epics[index % len(epics)].id, quote) not in have
        ]
    )


def _seed_train(ctx, value_stream, today: dt.date) -> None:
    train, created = ReleaseTrain.objects.get_or_create(value_stream=value_stream, name=f"{value_stream.name} ART")
    if created:
        train.teams.set(teams_of_value_streams(value_stream_ids=[value_stream.id]))
    # Two ten-week increments: the one that ended before today (scored) and the running one.
    second_start = today - dt.timedelta(days=21)
    first_start = second_start - dt.timedelta(weeks=10)
    increments = {
        "PI 1": (first_start, second_start - dt.timedelta(days=1)),
        "PI 2": (second_start, second_start + dt.timedelta(weeks=10) - dt.timedelta(days=1)),
    }
    have = set(ProgramIncrement.objects.filter(train=train).values_list("name", flat=True))
    ProgramIncrement.objects.bulk_create(
        [ProgramIncrement(train=train, name=n, start=s, end=e) for n, (s, e) in increments.items() if n not in have]
    )
    by_name = {i.name: i for i in ProgramIncrement.objects.filter(train=train)}
    objectives = (
        # increment, title, planned, actual
        ("PI 1", "Instant payouts for top merchants", 10, 9),
        ("PI 1", "Refunds in the merchant app", 7, 5),
        ("PI 1", "PSD2 strong authentication everywhere", 8, 8),
        ("PI 1", "Retire the old settlement batch", 3, 0),
        ("PI 2", "Same-day settlement for all merchants", 10, None),
        ("PI 2", "Dispute handling self-service", 6, None),
    )
    have_objectives = set(PIObjective.objects.filter(increment__train=train).values_list("increment_id", "title"))
    PIObjective.objects.bulk_create(
        [
            PIObjective(increment=by_name[pi], title=title, planned_value=planned, actual_value=actual)
            for pi, title, planned, actual in objectives
            if (by_name[pi].id, title) not in have_objectives
        ]
    )
