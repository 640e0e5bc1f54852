"""Reads for people in their roles, impediments, customer feedback, release trains and the
VMO sync agenda (issue 20). Each list is one query whatever its length."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.selectors.guardrails import guardrail_drift
from portfolio.models import Quarter
from portfolio.people import display_name
from portfolio.selectors.benefits import mvps_unevaluated
from portfolio.selectors.epics import epics_blocked
from vmo.models import PlanningEventKind
from vmo.models_people import (
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    StreamRole,
    StreamRoleKind,
)
from vmo.selectors.backlog import action_item_list
from vmo.selectors.predictability import Predictability

# How far back "recent customer feedback" reaches on the VMO sync agenda and the report.
FEEDBACK_RECENT_DAYS = 30
# An agenda line per item up to this many per section; the rest is counted on the section line.
AGENDA_SECTION_LIMIT = 8


def impediment_list() -> QuerySet[Impediment]:
    """Every impediment, open ones first by severity, with stream, team, people and the
    executive action team joined (one query)."""
    return Impediment.objects.select_related(
        "value_stream", "team", "raised_by", "owner", "escalated_to__quarter"
    ).order_by(F("resolved_on").desc(nulls_first=True), "severity", "raised_on", "id")


def impediments_open() -> QuerySet[Impediment]:
    return impediment_list().filter(resolved_on__isnull=True)


def impediments_escalated_open() -> QuerySet[Impediment]:
    """Open impediments the executive action team owns: the executive overview shows these."""
    return impediments_open().filter(escalated_to__isnull=False)


def customer_feedback_list() -> QuerySet[CustomerFeedback]:
    return CustomerFeedback.objects.select_related("epic__value_stream", "mmp", "recorded_by")


def customer_feedback_between(*, start: dt.date, end: dt.date) -> QuerySet[CustomerFeedback]:
    return customer_feedback_list().filter(received_on__gte=start, received_on__lte=end)


def executive_action_team_of(*, quarter: Quarter) -> ExecutiveActionTeam | None:
    return (
        ExecutiveActionTeam.objects.filter(quarter=quarter)
        .select_related("quarter")
        .prefetch_related("members")
        .first()
    )


# --- people in their roles -------------------------------------------------------------------


@dataclass
class StreamPeople:
    liaisons: list
    teams: list = field(default_factory=list)  # [(team, [StreamRole, ...])] in team order


def stream_people(*, value_stream_id: int) -> StreamPeople:
    """The stream's VMO liaisons and each team's product owner, scrum master and members (one query)."""
    rows = list(
        StreamRole.objects.filter(value_stream_id=value_stream_id)
        .select_related("user", "team")
        .order_by("team__name", "role", "user__username")
    )
    people = StreamPeople(liaisons=[r for r in rows if r.team_id is None])
    by_team: dict[int, tuple] = {}
    for r in rows:  # one stream's people, already in memory
        if r.team_id is not None:
            by_team.setdefault(r.team_id, (r.team, []))[1].append(r)
    people.teams = list(by_team.values())
    return people


# Who each kind of event invites by role: the VMO sync is the liaisons' and the teams'
# representatives' (product owners, scrum masters) meeting; planning and inspect and adapt add
# the executive action team.
INVITED_ROLES = {
    PlanningEventKind.VMO_SYNC: (StreamRoleKind.LIAISON, StreamRoleKind.PRODUCT_OWNER, StreamRoleKind.SCRUM_MASTER),
    PlanningEventKind.KICKOFF: (StreamRoleKind.LIAISON, StreamRoleKind.PRODUCT_OWNER, StreamRoleKind.SCRUM_MASTER),
    PlanningEventKind.QUARTERLY_PLANNING: (StreamRoleKind.LIAISON, StreamRoleKind.PRODUCT_OWNER),
    PlanningEventKind.INSPECT_AND_ADAPT: (StreamRoleKind.LIAISON, StreamRoleKind.PRODUCT_OWNER),
}
EAT_INVITED = (PlanningEventKind.KICKOFF, PlanningEventKind.QUARTERLY_PLANNING, PlanningEventKind.INSPECT_AND_ADAPT)


def event_invitee_ids(*, kind: str, quarter: Quarter) -> list[int]:
    """User ids to invite to an event of `kind` in `quarter`, by their roles (two queries)."""
    ids = set(
        StreamRole.objects.filter(role__in=INVITED_ROLES.get(kind, ()), user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if kind in EAT_INVITED:
        ids |= set(
            ExecutiveActionTeam.objects.filter(quarter=quarter, members__is_active=True).values_list(
                "members", flat=True
            )
        )
    return sorted(ids)


# --- release trains and increments ------------------------------------------------------------


def predictability_of(row) -> Predictability | None:
    """Predictability from a row carrying the `business_value_sums` annotations: the issue-12
    definition (vmo.selectors.predictability), delivered / planned business value. An increment
    nobody has scored yet has no data rather than 0 %."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    if not get("scored"):
        return None
    return Predictability(
        planned_count=get("planned_count"),
        delivered_count=get("delivered_count"),
        planned_value=get("planned"),
        delivered_value=get("delivered"),
    )


def business_value_sums(prefix: str = "") -> dict:
    """Annotations over PI objectives (reached through `prefix`): how many, how many delivered
    some value, how many scored, planned and actual business value. Planned counts every
    objective; actual counts the scored ones (unscored count 0)."""
    return {
        "planned_count": Count(f"{prefix}id"),
        "delivered_count": Count(f"{prefix}id", filter=Q(**{f"{prefix}actual_value__gt": 0})),
        "scored": Count(f"{prefix}id", filter=Q(**{f"{prefix}actual_value__isnull": False})),
        "planned": Coalesce(Sum(f"{prefix}planned_value"), Value(0), output_field=IntegerField()),
        "delivered": Coalesce(Sum(f"{prefix}actual_value"), Value(0), output_field=IntegerField()),
    }


def _value_sums(qs: QuerySet, group: str) -> dict:
    return {row[group]: predictability_of(row) for row in qs.order_by().values(group).annotate(**business_value_sums())}


def program_increment_list() -> QuerySet[ProgramIncrement]:
    """Increments with their business value sums annotated (one query; one related table is
    joined, so the sums cannot fan out)."""
    return ProgramIncrement.objects.select_related("train").annotate(**business_value_sums("objectives__"))


def increment_predictability(*, increment_ids) -> dict[int, Predictability | None]:
    """Per program increment: actual / planned business value of its objectives (one query).
    Planned counts every objective; actual counts the scored ones (unscored count 0)."""
    return _value_sums(PIObjective.objects.filter(increment_id__in=list(increment_ids)), "increment_id")


def train_predictability_in_quarter(*, quarter: Quarter) -> dict[int, Predictability | None]:
    """Per release train: the same ratio over the increments that end within the quarter (one
    query), beside the quarter's own predictability per value stream."""
    return _value_sums(
        PIObjective.objects.filter(increment__end__gte=quarter.start, increment__end__lte=quarter.end),
        "increment__train_id",
    )


def release_trains_of_stream(*, value_stream_id: int) -> list[ReleaseTrain]:
    """The stream's trains with their teams, increments and each increment's predictability
    (four queries whatever the number of trains and increments)."""
    trains = list(
        ReleaseTrain.objects.filter(value_stream_id=value_stream_id)
        .prefetch_related("teams", "increments")
        .order_by("name")
    )
    increment_ids = [i.id for t in trains for i in t.increments.all()]
    figures = increment_predictability(increment_ids=increment_ids) if increment_ids else {}
    for train in trains:
        for increment in train.increments.all():
            increment.predictability = figures.get(increment.id)
    return trains


def increment_detail(*, increment_id: int) -> ProgramIncrement:
    increment = ProgramIncrement.objects.select_related("train__value_stream").get(pk=increment_id)
    increment.objective_rows = list(increment.objectives.select_related("team").order_by("id"))
    increment.predictability = increment_predictability(increment_ids=[increment.id]).get(increment.id)
    return increment


# --- the VMO sync agenda ------------------------------------------------------------------------


@dataclass
class AgendaSection:
    key: str
    title: str
    lines: list[str]
    total: int


def _section(key: str, title: str, lines: list[str], total: int) -> AgendaSection:
    return AgendaSection(key=key, title=title, lines=lines[:AGENDA_SECTION_LIMIT], total=total)


def vmo_sync_agenda(*, quarter: Quarter, today: dt.date | None = None) -> list[AgendaSection]:
    """The VMO sync's short agenda from live data: blocked epics, guardrail drift, overdue
    actions, decisions needed (MVPs waiting for a verdict), open impediments (escalated first)
    and the last 30 days' customer feedback. A fixed number of queries, each through the owning
    app's selector."""
    today = today or timezone.localdate()
    blocked = epics_blocked(limit=50)
    drift = guardrail_drift(quarter=quarter)
    overdue = list(action_item_list(today=today).filter(is_overdue=True)[:50])
    decisions = list(mvps_unevaluated(today=today)[:50])
    escalated_first = Case(When(escalated_to__isnull=True, then=Value(1)), default=Value(0))
    impediments = list(impediments_open().order_by(escalated_first, "severity", "raised_on", "id")[:50])
    feedback = list(customer_feedback_between(start=today - dt.timedelta(days=FEEDBACK_RECENT_DAYS), end=today)[:50])
    return [
        _section(
            "blocked",
            "Blocked epics",
            [
                f"{b['epic__key']} {b['epic__title']} waits on {b['depends_on__key']} {b['depends_on__title']}"
                for b in blocked
            ],
            len(blocked),
        ),
        _section(
            "guardrails",
            "Guardrail drift",
            [f"{r.label}: {r.actual_pct}% against {r.planned_pct}% planned" for r in drift],
            len(drift),
        ),
        _section(
            "overdue",
            "Overdue actions",
            [
                f"{a.title} (due {a.due.isoformat()}, {display_name(a.owner) if a.owner else 'no owner'})"
                for a in overdue
            ],
            len(overdue),
        ),
        _section(
            "decisions",
            "Decisions needed",
            [f"Pivot, persevere or stop: {m.epic.key} {m.title} ({m.released_on.isoformat()})" for m in decisions],
            len(decisions),
        ),
        _section(
            "impediments",
            "Open impediments",
            [
                f"[{i.get_severity_display()}{', escalated' if i.escalated_to_id else ''}] {i.title}"
                f" ({i.value_stream.name})"
                for i in impediments
            ],
            len(impediments),
        ),
        _section(
            "feedback",
            "Recent customer feedback",
            [
                f"{f.epic.key} ({f.get_sentiment_display().lower()}, {f.source}): \u201c{f.quote}\u201d"
                for f in feedback
            ],
            len(feedback),
        ),
    ]


def vmo_sync_agenda_lines(*, quarter: Quarter, today: dt.date | None = None) -> list[str]:
    """The agenda as checklist lines: a heading line per section with its count, then its items."""
    lines = []
    for section in vmo_sync_agenda(quarter=quarter, today=today):
        more = section.total - len(section.lines)
        suffix = f", {more} more not listed" if more > 0 else ""
        lines.append(f"{section.title}: {section.total or 'none'}{suffix}")
        lines.extend(f"\u2014 {line}" for line in section.lines)
    return [line if len(line) <= 300 else line[:299] + "\u2026" for line in lines]


# --- the monthly report -----------------------------------------------------------------------


def impediments_of_month(*, start: dt.date, end: dt.date, value_stream=None) -> tuple[list, list]:
    """For the monthly report (`end` exclusive): impediments still open at the month's end
    (raised by then, not resolved by then), and those resolved in the month (two queries)."""
    rows = impediment_list()
    if value_stream is not None:
        rows = rows.filter(value_stream=value_stream)
    still_open = rows.filter(raised_on__lt=end).filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=end))
    resolved = rows.filter(resolved_on__gte=start, resolved_on__lt=end)
    return list(still_open[:100]), list(resolved[:100])


def customer_feedback_of_month(*, start: dt.date, end: dt.date, value_stream=None) -> list:
    rows = customer_feedback_list().filter(received_on__gte=start, received_on__lt=end)
    if value_stream is not None:
        rows = rows.filter(epic__value_stream=value_stream)
    return list(rows[:100])
