"""Issue 20: the VMO sync agenda from live data, people in their roles, the executive action
team, impediments and their escalation, customer feedback, release trains and predictability
per increment; every write allowed and denied (a denied write changes nothing)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import (
    ActionItemFactory,
    DependencyFactory,
    EpicFactory,
    GuardrailFactory,
    MMPFactory,
    QuarterBudgetFactory,
    TeamFactory,
    UserFactory,
)
from tests.factories_people import (
    CustomerFeedbackFactory,
    ExecutiveActionTeamFactory,
    ImpedimentFactory,
    PIObjectiveFactory,
    ProgramIncrementFactory,
    ReleaseTrainFactory,
    StreamRoleFactory,
)
from vmo.models import AgendaItem
from vmo.models_people import CustomerFeedback, ExecutiveActionTeam, Impediment, ReleaseTrain, StreamRole
from vmo.selectors.people import (
    increment_predictability,
    train_predictability_in_quarter,
)
from vmo.services import people as services
from vmo.services import planning as planning_services

pytestmark = pytest.mark.django_db


def _snapshot(model):
    return list(model.objects.order_by("id").values())


# --- the VMO sync agenda ------------------------------------------------------------------------


def test_vmo_sync_agenda_is_filled_from_live_data_when_the_event_is_opened(
    program_manager, quarter, value_stream, executive
):
    today = timezone.localdate()
    # Given a blocked epic (waits on an open one), which is also the whole committed spend (so
    # every investment type drifts from the default 60/20/10/10 guardrail by more than 5 points)
    checkout = EpicFactory(
        key="PAY-1",
        title="Checkout",
        value_stream=value_stream,
        state="implementing",
        investment_type="business_features",
        estimated_cost_cents=1000_00,
        target_quarter=quarter,
    )
    EpicFactory(key="PAY-2", title="Ledger", value_stream=value_stream, state="analyzing")
    DependencyFactory(epic=checkout, depends_on=checkout.__class__.objects.get(key="PAY-2"))
    GuardrailFactory(budget=QuarterBudgetFactory(quarter=quarter))
    # an overdue action, an MVP released five weeks ago nobody evaluated, ...
    ActionItemFactory(title="Fix the data feed", due=today - dt.timedelta(days=3), owner=program_manager)
    ActionItemFactory(title="Not due yet", due=today + dt.timedelta(days=3))
    released = today - dt.timedelta(weeks=5)
    MMPFactory(epic=checkout, kind="mvp", title="Wallet MVP", status="released", released_on=released)
    # ... two open impediments (one escalated), a resolved one, and feedback new and old
    eat = ExecutiveActionTeamFactory(quarter=quarter)
    ImpedimentFactory(title="Team too busy", value_stream=value_stream, severity=3)
    ImpedimentFactory(
        title="No test environment",
        value_stream=value_stream,
        severity=1,
        escalated_to=eat,
        escalated_at=timezone.now(),
    )
    ImpedimentFactory(title="Old", value_stream=value_stream, resolved_on=today)
    CustomerFeedbackFactory(
        epic=checkout,
        source="Support ticket",
        sentiment="negative",
        quote="Too slow",
        received_on=today - dt.timedelta(days=5),
    )
    CustomerFeedbackFactory(epic=checkout, quote="Long ago", received_on=today - dt.timedelta(days=40))

    # When a program manager opens a VMO sync
    event = planning_services.planning_event_create(
        kind="vmo_sync", quarter=quarter, title="VMO sync", date=today, created_by=program_manager
    )

    # Then its agenda lists each section with its count and items, from the data as it stands
    assert list(AgendaItem.objects.filter(event=event).values_list("text", flat=True)) == [
        "Blocked epics: 1",
        "\u2014 PAY-1 Checkout waits on PAY-2 Ledger",
        "Guardrail drift: 4",
        "\u2014 Business features: 100.0% against 60% planned",
        "\u2014 Enablers: 0.0% against 20% planned",
        "\u2014 Tech debt: 0.0% against 10% planned",
        "\u2014 Keep the lights on: 0.0% against 10% planned",
        "Overdue actions: 1",
        f"\u2014 Fix the data feed (due {(today - dt.timedelta(days=3)).isoformat()}, pam_pm)",
        "Decisions needed: 1",
        f"\u2014 Pivot, persevere or stop: PAY-1 Wallet MVP ({released.isoformat()})",
        "Open impediments: 2",
        "\u2014 [Critical, escalated] No test environment (Payments)",
        "\u2014 [Medium] Team too busy (Payments)",
        "Recent customer feedback: 1",
        "\u2014 PAY-1 (negative, Support ticket): \u201cToo slow\u201d",
    ]


def test_vmo_sync_agenda_says_none_for_an_empty_portfolio(program_manager, quarter):
    event = planning_services.planning_event_create(
        kind="vmo_sync", quarter=quarter, title="VMO sync", date=timezone.localdate(), created_by=program_manager
    )

    assert list(AgendaItem.objects.filter(event=event).values_list("text", flat=True)) == [
        "Blocked epics: none",
        "Guardrail drift: none",
        "Overdue actions: none",
        "Decisions needed: none",
        "Open impediments: none",
        "Recent customer feedback: none",
    ]


def test_vmo_sync_agenda_takes_a_constant_number_of_queries(
    program_manager, quarter, value_stream, django_assert_num_queries
):
    def open_sync():
        return planning_services.planning_event_create(
            kind="vmo_sync", quarter=quarter, title="Sync", date=timezone.localdate(), created_by=program_manager
        )

    open_sync()  # warm caches (content types, roles)
    # 14 + the event's full_clean since retrospectives (issue 20): its quarter and author exist,
    # and the "only a retrospective names a team" constraint (3)
    with django_assert_num_queries(17) as small:
        open_sync()
    for n in range(6):
        ImpedimentFactory(value_stream=value_stream, title=f"Blocker {n}")
        CustomerFeedbackFactory(epic=EpicFactory(value_stream=value_stream))
        ActionItemFactory(due=timezone.localdate() - dt.timedelta(days=1))
    with django_assert_num_queries(len(small.captured_queries)):
        open_sync()


# --- people in their roles and invitations ------------------------------------------------------


def test_events_invite_people_by_their_roles(program_manager, quarter, value_stream, executive):
    team = TeamFactory(value_stream=value_stream, name="Rails")
    liaison, po, sm, member = (UserFactory(username=n) for n in ("lia", "paula_po", "sam_sm", "tim_member"))
    StreamRoleFactory(value_stream=value_stream, user=liaison)
    StreamRoleFactory(value_stream=value_stream, team=team, user=po, role="product_owner")
    StreamRoleFactory(value_stream=value_stream, team=team, user=sm, role="scrum_master")
    StreamRoleFactory(value_stream=value_stream, team=team, user=member, role="team_member")
    eat = ExecutiveActionTeamFactory(quarter=quarter)
    eat.members.set([executive])

    sync = planning_services.planning_event_create(
        kind="vmo_sync", quarter=quarter, title="Sync", date=timezone.localdate(), created_by=program_manager
    )
    planning = planning_services.planning_event_create(
        kind="quarterly_planning", quarter=quarter, title="Q3", date=timezone.localdate(), created_by=program_manager
    )

    assert sorted(sync.attendees.values_list("username", flat=True)) == ["lia", "paula_po", "sam_sm"]
    assert sorted(planning.attendees.values_list("username", flat=True)) == ["eve_exec", "lia", "paula_po"]


def test_stream_roles_are_given_by_the_streams_managers_and_directors(vsm, director, value_stream):
    team = TeamFactory(value_stream=value_stream)
    person = UserFactory()

    services.stream_role_assign(user=vsm, value_stream=value_stream, person=person, role="product_owner", team=team)
    services.stream_role_assign(user=director, value_stream=value_stream, person=person, role="vmo_liaison")

    assert sorted(StreamRole.objects.values_list("role", "team_id")) == [
        ("product_owner", team.id),
        ("vmo_liaison", None),
    ]


@pytest.mark.parametrize("who", ["other_vsm", "executive", "program_manager"])
def test_stream_roles_refused_to_others_change_nothing(request, who, value_stream):
    user = request.getfixturevalue(who)
    assignment = StreamRoleFactory(value_stream=value_stream)
    before = _snapshot(StreamRole)

    with pytest.raises(PermissionDenied):
        services.stream_role_assign(user=user, value_stream=value_stream, person=UserFactory(), role="vmo_liaison")
    with pytest.raises(PermissionDenied):
        services.stream_role_remove(user=user, assignment=assignment)

    assert _snapshot(StreamRole) == before


def test_stream_role_rules(vsm, value_stream, other_value_stream):
    person = UserFactory()
    with pytest.raises(ValidationError, match="names a team"):
        services.stream_role_assign(user=vsm, value_stream=value_stream, person=person, role="scrum_master")
    with pytest.raises(ValidationError, match="another value stream"):
        services.stream_role_assign(
            user=vsm,
            value_stream=value_stream,
            person=person,
            role="scrum_master",
            team=TeamFactory(value_stream=other_value_stream),
        )
    services.stream_role_assign(user=vsm, value_stream=value_stream, person=person, role="vmo_liaison")
    with pytest.raises(ValidationError, match="already has this role"):
        services.stream_role_assign(user=vsm, value_stream=value_stream, person=person, role="vmo_liaison")
    assert StreamRole.objects.count() == 1


# --- the executive action team ------------------------------------------------------------------


def test_executives_own_the_executive_action_team(executive, quarter):
    team = services.executive_action_team_set(
        user=executive, quarter=quarter, charter="Remove blockers", members=[executive]
    )
    again = services.executive_action_team_set(user=executive, quarter=quarter, charter="Remove blockers fast")

    assert again.pk == team.pk
    assert list(ExecutiveActionTeam.objects.values_list("charter", flat=True)) == ["Remove blockers fast"]
    assert list(team.members.values_list("username", flat=True)) == ["eve_exec"]


@pytest.mark.parametrize("who", ["vsm", "program_manager"])
def test_executive_action_team_refused_to_others_changes_nothing(request, who, quarter):
    ExecutiveActionTeamFactory(quarter=quarter, charter="As agreed")
    before = _snapshot(ExecutiveActionTeam)

    with pytest.raises(PermissionDenied):
        services.executive_action_team_set(user=request.getfixturevalue(who), quarter=quarter, charter="Mine now")

    assert _snapshot(ExecutiveActionTeam) == before


# --- impediments and escalation -----------------------------------------------------------------


def test_everyone_may_raise_an_impediment(value_stream, other_vsm):
    nobody_special = UserFactory(username="nora")
    for user in (nobody_special, other_vsm):
        services.impediment_raise(user=user, title="No tools", value_stream=value_stream, severity=2)

    assert sorted(Impediment.objects.values_list("raised_by__username", flat=True)) == ["nora", "otto_vsm"]


@pytest.mark.parametrize("who", ["program_manager", "director"])
def test_those_who_run_events_escalate_to_the_current_quarters_team(request, who, current_quarter, value_stream):
    eat = ExecutiveActionTeamFactory(quarter=current_quarter)
    impediment = ImpedimentFactory(value_stream=value_stream)

    services.impediment_escalate(user=request.getfixturevalue(who), impediment=impediment)

    impediment.refresh_from_db()
    assert impediment.escalated_to_id == eat.id
    assert impediment.escalated_at is not None


@pytest.mark.parametrize("who", ["vsm", "executive", "other_vsm"])
def test_escalation_refused_to_others_changes_nothing(request, who, current_quarter, value_stream):
    ExecutiveActionTeamFactory(quarter=current_quarter)
    impediment = ImpedimentFactory(value_stream=value_stream, raised_by=request.getfixturevalue(who))
    before = _snapshot(Impediment)

    with pytest.raises(PermissionDenied):
        services.impediment_escalate(user=request.getfixturevalue(who), impediment=impediment)

    assert _snapshot(Impediment) == before


def test_escalation_rules(program_manager, current_quarter, quarter, value_stream):
    impediment = ImpedimentFactory(value_stream=value_stream)
    # No team for the current quarter (only for another one): refused
    if quarter.pk != current_quarter.pk:
        ExecutiveActionTeamFactory(quarter=quarter)
    with pytest.raises(ValidationError, match="no executive action team"):
        services.impediment_escalate(user=program_manager, impediment=impediment)
    ExecutiveActionTeamFactory(quarter=current_quarter)
    # Escalated once; a second escalation is refused
    services.impediment_escalate(user=program_manager, impediment=impediment)
    with pytest.raises(ValidationError, match="already escalated"):
        services.impediment_escalate(user=program_manager, impediment=impediment)
    # A resolved impediment is not escalated
    resolved = ImpedimentFactory(value_stream=value_stream, resolved_on=timezone.localdate())
    with pytest.raises(ValidationError, match="resolved"):
        services.impediment_escalate(user=program_manager, impediment=resolved)
    resolved.refresh_from_db()
    assert resolved.escalated_to_id is None


def test_executives_resolve_escalated_impediments_only(executive, current_quarter, value_stream):
    eat = ExecutiveActionTeamFactory(quarter=current_quarter)
    escalated = ImpedimentFactory(value_stream=value_stream, escalated_to=eat, escalated_at=timezone.now())
    local = ImpedimentFactory(value_stream=value_stream)

    services.impediment_resolve(user=executive, impediment=escalated, resolution="Budget for tools approved")
    with pytest.raises(PermissionDenied):
        services.impediment_resolve(user=executive, impediment=local)

    assert list(Impediment.objects.order_by("id").values_list("resolved_on", "resolution")) == [
        (timezone.localdate(), "Budget for tools approved"),
        (None, ""),
    ]


def test_raiser_and_owner_change_their_impediment_others_do_not(vsm, other_vsm, value_stream):
    owner = UserFactory(username="olga")
    impediment = ImpedimentFactory(value_stream=value_stream, raised_by=vsm, owner=owner, severity=3)

    services.impediment_update(user=vsm, impediment=impediment, severity=2)
    services.impediment_update(user=owner, impediment=impediment, title="No CI runners")
    before = _snapshot(Impediment)
    with pytest.raises(PermissionDenied):
        services.impediment_update(user=other_vsm, impediment=impediment, severity=1)
    with pytest.raises(PermissionDenied):
        services.impediment_resolve(user=other_vsm, impediment=impediment)

    assert _snapshot(Impediment) == before
    assert (before[0]["severity"], before[0]["title"]) == (2, "No CI runners")


# --- customer feedback --------------------------------------------------------------------------


def test_feedback_on_an_mmp_is_also_on_its_epic(vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)
    mmp = MMPFactory(epic=epic)

    note = services.customer_feedback_record(
        user=vsm, mmp=mmp, source="Survey", received_on=dt.date(2026, 7, 3), sentiment="positive", quote="Love it"
    )

    assert (note.epic_id, note.mmp_id) == (epic.id, mmp.id)


@pytest.mark.parametrize("who", ["other_vsm", "executive"])
def test_feedback_refused_to_others_changes_nothing(request, who, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    with pytest.raises(PermissionDenied):
        services.customer_feedback_record(
            user=request.getfixturevalue(who),
            epic=epic,
            source="Survey",
            received_on=dt.date(2026, 7, 3),
            sentiment="positive",
            quote="Love it",
        )

    assert CustomerFeedback.objects.count() == 0


# --- release trains and predictability per increment --------------------------------------------


def test_predictability_per_increment_and_per_quarter(quarter, value_stream):
    # Given a train with two increments ending in Q3 and one ending in Q4
    train = ReleaseTrainFactory(value_stream=value_stream)
    pi1 = ProgramIncrementFactory(train=train, name="PI 1", start=dt.date(2026, 5, 1), end=dt.date(2026, 7, 10))
    pi2 = ProgramIncrementFactory(train=train, name="PI 2", start=dt.date(2026, 7, 11), end=dt.date(2026, 9, 18))
    pi3 = ProgramIncrementFactory(train=train, name="PI 3", start=dt.date(2026, 9, 19), end=dt.date(2026, 11, 27))
    # PI 1: planned 8 + 5 + 3 = 16, actual 8 + 2 + (unscored) = 10 -> 10/16 = 0.625
    PIObjectiveFactory(increment=pi1, planned_value=8, actual_value=8)
    PIObjectiveFactory(increment=pi1, planned_value=5, actual_value=2)
    PIObjectiveFactory(increment=pi1, planned_value=3, actual_value=None)
    # PI 2: planned 10, actual 9 (+ an objective that delivered nothing) -> 9/14
    PIObjectiveFactory(increment=pi2, planned_value=10, actual_value=9)
    PIObjectiveFactory(increment=pi2, planned_value=4, actual_value=0)
    # PI 3: nobody scored yet -> no data
    PIObjectiveFactory(increment=pi3, planned_value=7)

    per_increment = increment_predictability(increment_ids=[pi1.id, pi2.id, pi3.id])
    per_quarter = train_predictability_in_quarter(quarter=quarter)

    assert per_increment[pi1.id].ratio == 0.625
    assert (per_increment[pi1.id].planned_count, per_increment[pi1.id].delivered_count) == (3, 2)
    assert per_increment[pi2.id].ratio == round(9 / 14, 4) == 0.6429
    assert per_increment[pi3.id] is None
    # Q3 holds PI 1 and PI 2 (they end in it): (10 + 9) / (16 + 14) = 19/30
    assert per_quarter[train.id].ratio == round(19 / 30, 4) == 0.6333
    assert per_quarter[train.id].in_band is False


def test_streams_without_a_train_have_no_train_predictability(quarter, value_stream):
    assert train_predictability_in_quarter(quarter=quarter) == {}


def test_trains_and_increments_are_the_streams_managers(vsm, other_vsm, value_stream, other_value_stream):
    team = TeamFactory(value_stream=value_stream)
    train = services.release_train_create(user=vsm, value_stream=value_stream, name="ART", teams=[team])
    pi = services.program_increment_create(
        user=vsm, train=train, name="PI 1", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 8)
    )
    objective = services.pi_objective_add(user=vsm, increment=pi, title="Instant payouts", planned_value=8)
    services.pi_objective_score(user=vsm, objective=objective, actual_value=6)

    with pytest.raises(ValidationError, match="overlaps"):
        services.program_increment_create(
            user=vsm, train=train, name="PI 1b", start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 1)
        )
    with pytest.raises(ValidationError, match="its own value stream"):
        services.release_train_create(
            user=vsm, value_stream=value_stream, name="ART 2", teams=[TeamFactory(value_stream=other_value_stream)]
        )
    with pytest.raises(PermissionDenied):
        services.release_train_create(user=other_vsm, value_stream=value_stream, name="Mine")
    with pytest.raises(PermissionDenied):
        services.pi_objective_score(user=other_vsm, objective=objective, actual_value=10)

    objective.refresh_from_db()
    assert objective.actual_value == 6
    assert list(ReleaseTrain.objects.values_list("name", flat=True)) == ["ART"]
