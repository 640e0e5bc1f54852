"""Each notification rule, triggered and not, hand-built; who hears of it; idempotence."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import NoticeKind, Notification
from notifications.services import notifications_evaluate
from portfolio.models import RollupDue, ValueStream
from tests.factories import (
    ActionItemFactory,
    CheckInFactory,
    EpicFactory,
    GuardrailFactory,
    KeyResultFactory,
    MMPFactory,
    ObjectiveFactory,
    QuarterBudgetFactory,
    SpendFactory,
    TeamFactory,
    TeamSprintFactory,
    UserFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
)

pytestmark = pytest.mark.django_db

# A moment inside 2026-Q3 (the `quarter` fixture).
NOW = dt.datetime(2026, 8, 15, 10, 0, tzinfo=dt.UTC)
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _rule_settings(settings):
    settings.NOTIFY_KR_CHECK_IN_DAYS = 30
    settings.NOTIFY_NO_RELEASE_DAYS = 90
    settings.NOTIFY_ROLLUP_STALE_HOURS = 26
    settings.NOTIFY_COST_MONTHS = 3


def notices(kind: str) -> list[tuple[str, str]]:
    """(username, key) of the stored notices of `kind`, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "key"))


def test_guardrail_drift_beyond_tolerance_tells_directors(director, vsm, quarter, value_stream):
    # Given a 60/20/10/10 guardrail with a 5-point tolerance and committed work 54/26/10/10
    GuardrailFactory(budget=QuarterBudgetFactory(quarter=quarter))
    for kind, cents in (("business_features", 54), ("enablers", 26), ("tech_debt", 10), ("ktlo", 10)):
        EpicFactory(
            value_stream=value_stream,
            state="implementing",
            target_quarter=quarter,
            investment_type=kind,
            estimated_cost_cents=cents * 100_00,
        )
    # When the rules run
    notifications_evaluate(now=NOW)
    # Then directors hear of the two types 6 points off; ten points either way in total
    assert notices(NoticeKind.GUARDRAIL_DRIFT) == [
        ("dora_director", "guardrail_drift:2026-Q3:business_features"),
        ("dora_director", "guardrail_drift:2026-Q3:enablers"),
    ]
    title = Notification.objects.get(key="guardrail_drift:2026-Q3:enablers").title
    assert title == "Enablers is at 26.0% of 2026-Q3's committed work, planned 20%"


def test_guardrail_drift_at_the_tolerance_is_quiet(director, quarter, value_stream):
    GuardrailFactory(budget=QuarterBudgetFactory(quarter=quarter))
    for kind, cents in (("business_features", 55), ("enablers", 25), ("tech_debt", 10), ("ktlo", 10)):
        EpicFactory(
            value_stream=value_stream,
            state="backlog",
            target_quarter=quarter,
            investment_type=kind,
            estimated_cost_cents=cents * 100_00,
        )
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.GUARDRAIL_DRIFT) == []


@pytest.mark.parametrize(("labour_cents", "flagged"), [(111_000_00, True), (110_000_00, False), (89_000_00, True)])
def test_labour_spend_against_team_cost(director, vsm, other_vsm, quarter, value_stream, labour_cents, flagged):
    # Given July's sprints of the stream's team cost 100,000.00 and the default 10 % tolerance
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=100_000_00)
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14))
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=labour_cents)
    notifications_evaluate(now=NOW)
    key = f"cost_deviation:{value_stream.id}:2026-07"
    expected = [("dora_director", key), ("val_vsm", key)] if flagged else []
    assert notices(NoticeKind.COST_DEVIATION) == expected


def test_labour_spend_of_the_running_month_is_not_judged_yet(director, quarter, value_stream):
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=100_000_00)
    TeamSprintFactory(team=team, start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 14))
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=150_000_00)
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.COST_DEVIATION) == []


def test_overdue_action_items_tell_their_owner(executive, program_manager):
    overdue = ActionItemFactory(owner=executive, due=dt.date(2026, 8, 14), status="in_progress")
    ActionItemFactory(owner=executive, due=dt.date(2026, 8, 15))  # due today: not overdue
    ActionItemFactory(owner=executive, due=dt.date(2026, 8, 1), status="done")
    ActionItemFactory(owner=None, due=dt.date(2026, 8, 1))
    ActionItemFactory(owner=program_manager, due=None)
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.ACTION_OVERDUE) == [("eve_exec", f"action_overdue:{overdue.id}:2026-08-14")]


def test_key_results_without_a_check_in_for_n_days_tell_their_owner(vsm, other_vsm, quarter, value_stream):
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream, owner=vsm)
    late = KeyResultFactory(objective=objective)
    CheckInFactory(key_result=late, date=dt.date(2026, 7, 15))  # 31 days before 15 August
    recent = KeyResultFactory(objective=objective)
    CheckInFactory(key_result=recent, date=dt.date(2026, 7, 10))
    CheckInFactory(key_result=recent, date=dt.date(2026, 7, 16))  # exactly 30 days: not yet
    bound = KeyResultFactory(objective=objective, metric="flow_velocity")
    CheckInFactory(key_result=bound, date=dt.date(2026, 5, 1))  # the rollup checks it in
    never = KeyResultFactory(objective=objective)
    type(never).objects.filter(id=never.id).update(created_at=LONG_AGO)
    ownerless = KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=value_stream, owner=None))
    CheckInFactory(key_result=ownerless, date=dt.date(2026, 5, 1))
    fresh_never = KeyResultFactory(objective=objective)  # created now: after the 30 days' start
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.KR_CHECK_IN) == [
        ("val_vsm", f"kr_check_in:{late.id}:2026-07-15"),
        ("val_vsm", f"kr_check_in:{never.id}:never"),
    ]
    assert fresh_never.id not in (late.id, never.id)


def test_a_new_check_in_then_silence_again_is_a_new_notice(vsm, quarter, value_stream):
    kr = KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=value_stream, owner=vsm))
    CheckInFactory(key_result=kr, date=dt.date(2026, 7, 1))
    notifications_evaluate(now=NOW)
    CheckInFactory(key_result=kr, date=dt.date(2026, 7, 10))
    notifications_evaluate(now=NOW)
    assert [key for _, key in notices(NoticeKind.KR_CHECK_IN)] == [
        f"kr_check_in:{kr.id}:2026-07-01",
        f"kr_check_in:{kr.id}:2026-07-10",
    ]


def test_epics_waiting_for_a_go_decision_tell_directors(director, vsm, value_stream):
    waiting = EpicFactory(value_stream=value_stream, state="analyzing", estimated_cost_cents=50_000_00)
    EpicFactory(value_stream=value_stream, state="analyzing")  # no business case cost yet
    EpicFactory(
        value_stream=value_stream,
        state="analyzing",
        estimated_cost_cents=50_000_00,
        go_decision_at=timezone.now(),
        go_decision_by=director,
    )
    EpicFactory(value_stream=value_stream, state="backlog", estimated_cost_cents=50_000_00)
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.GO_DECISION) == [("dora_director", f"go_decision:{waiting.id}")]


def test_streams_without_a_release_for_90_days(director, vsm, other_vsm, value_stream, other_value_stream):
    # 90 days before 15 August 2026 is 17 May 2026.
    silent = value_stream
    MMPFactory(epic=EpicFactory(value_stream=silent), status="released", released_on=dt.date(2026, 5, 16))
    MMPFactory(epic=EpicFactory(value_stream=silent), status="canceled", released_on=dt.date(2026, 8, 1))
    MMPFactory(epic=EpicFactory(value_stream=other_value_stream), status="released", released_on=dt.date(2026, 5, 17))
    never = ValueStreamFactory(name="Never", slug="never")
    young = ValueStreamFactory(name="Young", slug="young")
    ValueStreamFactory(name="Closed", slug="closed", active=False)
    ValueStream.objects.exclude(slug="young").update(created_at=LONG_AGO)
    ValueStream.objects.filter(slug="young").update(created_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.NO_RELEASE) == [
        ("dora_director", f"no_release:{silent.id}:2026-05-16"),
        ("dora_director", f"no_release:{never.id}:never"),
        ("val_vsm", f"no_release:{silent.id}:2026-05-16"),
    ]
    assert young.id != never.id


def test_delayed_and_stale_rollups_tell_directors(director, vsm, quarter, value_stream, other_value_stream):
    ValueStream.objects.update(created_at=LONG_AGO)
    # The outbox row of one stream waited 6 minutes (over the 5-minute warning), the other 4.
    RollupDue.objects.create(value_stream=value_stream)
    RollupDue.objects.create(value_stream=other_value_stream)
    RollupDue.objects.filter(value_stream=value_stream).update(due_since=NOW - dt.timedelta(minutes=6))
    RollupDue.objects.filter(value_stream=other_value_stream).update(due_since=NOW - dt.timedelta(minutes=4))
    # The newest snapshot of one stream is 27 hours old (stale after 26), the other's 25.
    ValueStreamSnapshotFactory(
        value_stream=value_stream, quarter=quarter, as_of=dt.date(2026, 8, 13), computed_at=NOW - dt.timedelta(hours=40)
    )
    ValueStreamSnapshotFactory(
        value_stream=value_stream, quarter=quarter, as_of=dt.date(2026, 8, 14), computed_at=NOW - dt.timedelta(hours=27)
    )
    ValueStreamSnapshotFactory(
        value_stream=other_value_stream,
        quarter=quarter,
        as_of=dt.date(2026, 8, 14),
        computed_at=NOW - dt.timedelta(hours=25),
    )
    notifications_evaluate(now=NOW)
    assert notices(NoticeKind.ROLLUP) == [
        ("dora_director", f"rollup_delayed:{value_stream.id}:2026-08-15T09:54"),
        ("dora_director", f"rollup_stale:{value_stream.id}:2026-08-14T07:00"),
    ]


def test_running_the_rules_twice_stores_one_notice_per_event_and_user(director, executive, value_stream):
    ActionItemFactory(owner=executive, due=dt.date(2026, 8, 1))
    EpicFactory(value_stream=value_stream, state="analyzing", estimated_cost_cents=1_00)
    UserFactory(username="second_director", roles=["VMO Director"])
    notifications_evaluate(now=NOW)
    notifications_evaluate(now=NOW + dt.timedelta(hours=1))
    assert Notification.objects.count() == 3
    assert Notification.objects.filter(kind=NoticeKind.GO_DECISION).count() == 2


def test_inactive_directors_hear_nothing(director, value_stream):
    director.is_active = False
    director.save()
    EpicFactory(value_stream=value_stream, state="analyzing", estimated_cost_cents=1_00)
    notifications_evaluate(now=NOW)
    assert Notification.objects.count() == 0
