"""Participatory budgeting: sessions, pooling, returns at round end, caps, shares, visibility,
the outcome and its scenario, the pledge log's replay."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funding import services
from funding.models import (
    Allocation,
    PBEventKind,
    PBPledge,
    PBPledgeEvent,
    PBSession,
    PBSessionStatus,
    Scenario,
)
from funding.selectors.participatory import pb_outcome, pb_outcome_replayed, pb_replay, pb_sessions_visible
from funding.services import FundingConflict
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db


def pledge(session, user, key, cents):
    offer = session.offers.get(epic__key=key)
    return services.pb_pledge_set(user=user, session=session, offer_id=offer.pk, amount_cents=cents)


def pledged(session):
    return sorted(
        PBPledge.objects.filter(participant__session=session, amount_cents__gt=0).values_list(
            "participant__user__username", "offer__epic__key", "amount_cents", "locked"
        )
    )


def test_a_session_gives_equal_shares_and_offers_the_epics_with_their_estimates(session):
    assert session.status == PBSessionStatus.OPEN
    assert sorted(session.participants.values_list("table__name", "user__username", "share_cents")) == [
        ("A", "alice", 100_00),
        ("A", "bob", 100_00),
        ("B", "carol", 100_00),
        ("B", "dan", 100_00),
    ]
    assert list(session.offers.values_list("epic__key", "estimate_cents")) == [
        ("PB-1", 150_00),
        ("PB-2", 120_00),
        ("PB-3", 80_00),
    ]


def test_equal_shares_leave_remainder_cents_unpledged(make_session):
    session = make_session(money_cents=100_03)
    assert set(session.participants.values_list("share_cents", flat=True)) == {25_00}


def test_a_set_share_must_fit_the_money(make_session):
    with pytest.raises(ValidationError) as exc:
        make_session(share_cents=100_01)
    assert "4 shares of 100.01 exceed the money in play" in exc.value.message_dict["share"][0]
    assert PBSession.objects.count() == 0


@pytest.mark.parametrize(
    ("money", "message"),
    [(500_01, "At most the unallocated 500.00 can be in play."), (0, "Put some money in play.")],
)
def test_money_in_play_is_at_most_the_unallocated_budget(make_session, money, message):
    with pytest.raises(ValidationError) as exc:
        make_session(money_cents=money)
    assert exc.value.message_dict["money"] == [message]
    assert PBSession.objects.count() == 0


def test_only_analysed_or_backlog_epics_with_an_estimate_are_offered(make_session, pb_epics, value_stream):
    funnel = EpicFactory(key="PB-9", value_stream=value_stream, estimated_cost_cents=10_00)
    pb_epics.append(funnel)
    with pytest.raises(ValidationError) as exc:
        make_session()
    assert "not PB-9" in exc.value.message_dict["epics"][0]


@pytest.mark.parametrize("who", ["vsm", "executive", "program_manager"])
def test_only_directors_open_a_session(request, who, pb_budget, pb_epics, players):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.pb_session_create(
            user=user,
            budget=pb_budget,
            name="x",
            money_cents=100_00,
            epic_ids=[pb_epics[0].pk],
            tables={"A": [players["alice"].pk]},
            ends_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert PBSession.objects.count() == 0


def test_a_tables_pledges_pool_and_fund_an_epic_at_its_estimate(session, players):
    pledge(session, players["alice"], "PB-1", 100_00)
    pledge(session, players["bob"], "PB-1", 50_00)

    outcome = pb_outcome(session=session)
    assert outcome.per_table == {"A": ["PB-1"], "B": []}


def test_a_pledge_beyond_what_the_epic_still_needs_at_the_table_is_refused(session, players):
    pledge(session, players["alice"], "PB-1", 100_00)
    with pytest.raises(ValidationError) as exc:
        pledge(session, players["bob"], "PB-1", 50_01)
    assert exc.value.message_dict["amount"] == ["PB-1 needs only 50.00 more at your table."]
    # the other table's pledges do not count at this table
    pledge(session, players["carol"], "PB-1", 100_00)
    assert pledged(session) == [("alice", "PB-1", 100_00, False), ("carol", "PB-1", 100_00, False)]


def test_a_participant_cannot_pledge_more_than_their_share(session, players):
    pledge(session, players["alice"], "PB-1", 60_00)
    with pytest.raises(ValidationError) as exc:
        pledge(session, players["alice"], "PB-2", 40_01)
    assert exc.value.message_dict["amount"] == ["Your share has 40.00 left for this epic."]
    # moving money: lowering one pledge frees it for another
    pledge(session, players["alice"], "PB-1", 20_00)
    pledge(session, players["alice"], "PB-2", 80_00)
    assert pledged(session) == [("alice", "PB-1", 20_00, False), ("alice", "PB-2", 80_00, False)]


def test_pledges_to_unfunded_epics_return_at_round_end_and_funded_ones_stay(session, players, director):
    pledge(session, players["alice"], "PB-1", 100_00)
    pledge(session, players["bob"], "PB-1", 50_00)
    pledge(session, players["bob"], "PB-3", 30_00)
    pledge(session, players["carol"], "PB-2", 70_00)

    services.pb_round_close(user=director, session=session)

    session.refresh_from_db()
    assert session.round == 2
    assert pledged(session) == [("alice", "PB-1", 100_00, True), ("bob", "PB-1", 50_00, True)]
    returns = PBPledgeEvent.objects.filter(kind=PBEventKind.RETURN).values_list(
        "participant__user__username", "offer__epic__key", "round", "amount_cents"
    )
    assert sorted(returns) == [("bob", "PB-3", 1, 0), ("carol", "PB-2", 1, 0)]
    # funded money stays; returned money is free again in the next round
    with pytest.raises(FundingConflict):
        pledge(session, players["alice"], "PB-1", 0)
    pledge(session, players["bob"], "PB-3", 50_00)
    pledge(session, players["carol"], "PB-2", 100_00)


def test_no_pledge_after_the_time_box_or_the_close(session, players, director):
    PBSession.objects.filter(pk=session.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    session.refresh_from_db()
    with pytest.raises(FundingConflict):
        pledge(session, players["alice"], "PB-1", 10_00)
    services.pb_session_close(user=director, session=session)
    session.refresh_from_db()
    with pytest.raises(FundingConflict):
        pledge(session, players["alice"], "PB-1", 10_00)
    assert pledged(session) == []


def test_an_epic_outside_the_session_is_refused(session, players, value_stream):
    outsider = EpicFactory(value_stream=value_stream, state="backlog", estimated_cost_cents=10_00)
    with pytest.raises(ValidationError) as exc:
        services.pb_pledge_set(user=players["alice"], session=session, offer_id=outsider.pk + 1000, amount_cents=1)
    assert exc.value.message_dict["offer"] == ["This epic is not on offer in this session."]


@pytest.mark.parametrize("who", ["director", "vsm", "executive"])
def test_only_participants_pledge(request, who, session):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        pledge(session, user, "PB-1", 10_00)
    assert PBPledge.objects.count() == 0


def test_a_cap_per_investment_type_limits_a_tables_money(make_session, players):
    # table A holds 200.00; enablers at most 25% of it: 50.00
    session = make_session(caps=[{"investment_type": "enablers", "max_pct": 25}])
    pledge(session, players["alice"], "PB-2", 30_00)
    with pytest.raises(ValidationError) as exc:
        pledge(session, players["bob"], "PB-2", 20_01)
    assert exc.value.message_dict["amount"] == ["At most 25% of your table's money (50.00) goes to Enablers."]
    pledge(session, players["bob"], "PB-2", 20_00)


def test_a_cap_per_horizon_limits_a_tables_money(make_session, players):
    session = make_session(caps=[{"horizon": "h2", "max_pct": 10}])
    with pytest.raises(ValidationError) as exc:
        pledge(session, players["alice"], "PB-3", 20_01)
    assert "At most 10% of your table's money (20.00)" in exc.value.message_dict["amount"][0]


def test_an_epic_reserved_to_a_table_takes_only_that_tables_money(make_session, players, pb_epics):
    session = make_session(only_table={pb_epics[1].pk: "B"})
    with pytest.raises(ValidationError):
        pledge(session, players["alice"], "PB-2", 10_00)
    pledge(session, players["carol"], "PB-2", 10_00)


def test_outcome_per_table_overall_value_stream_and_agreement(session, players, director, value_stream):
    # both tables fund PB-1 (150.00); B's 50.00 of PB-3's 80.00 is returned at close
    pledge(session, players["alice"], "PB-1", 100_00)
    pledge(session, players["bob"], "PB-1", 50_00)
    pledge(session, players["carol"], "PB-1", 75_00)
    pledge(session, players["dan"], "PB-1", 75_00)
    pledge(session, players["carol"], "PB-3", 25_00)
    pledge(session, players["dan"], "PB-3", 25_00)
    services.pb_session_close(user=director, session=session)

    outcome = pb_outcome(session=session)
    assert outcome.per_table == {"A": ["PB-1"], "B": ["PB-1"]}
    assert [(e.key, e.tables) for e in outcome.overall] == [("PB-1", ["A", "B"])]
    assert [(r.name, r.amount_cents) for r in outcome.by_value_stream] == [("Payments", 150_00)]
    assert outcome == pb_outcome_replayed(session=session)


def test_an_epic_funded_by_fewer_than_half_the_tables_is_not_in_the_overall_outcome(make_session, players, director):
    session = make_session()
    pledge(session, players["alice"], "PB-3", 80_00)
    pledge(session, players["carol"], "PB-2", 100_00)
    pledge(session, players["dan"], "PB-2", 20_00)
    services.pb_session_close(user=director, session=session)
    outcome = pb_outcome(session=session)
    # each is funded by one table of two: half counts as most
    assert [(e.key, e.tables) for e in outcome.agreement] == [("PB-2", ["B"]), ("PB-3", ["A"])]
    assert [(r.name, r.amount_cents) for r in outcome.by_value_stream] == [("Onboarding", 120_00), ("Payments", 80_00)]


def test_the_result_is_reproducible_from_the_pledge_log(session, players, director):
    pledge(session, players["alice"], "PB-1", 100_00)
    pledge(session, players["alice"], "PB-1", 40_00)
    pledge(session, players["bob"], "PB-3", 80_00)
    pledge(session, players["carol"], "PB-2", 60_00)
    services.pb_round_close(user=director, session=session)
    pledge(session, players["carol"], "PB-2", 100_00)
    pledge(session, players["dan"], "PB-2", 20_00)
    services.pb_session_close(user=director, session=session)

    current = {
        (p.participant_id, p.offer_id): p.amount_cents
        for p in PBPledge.objects.filter(participant__session=session, amount_cents__gt=0)
    }
    assert pb_replay(session=session) == current
    assert pb_outcome_replayed(session=session) == pb_outcome(session=session)
    assert pb_outcome(session=session).per_table == {"A": ["PB-3"], "B": ["PB-2"]}


def test_the_outcome_becomes_a_scenario_and_commits_audited(session, players, director, pb_budget, value_stream):
    pledge(session, players["alice"], "PB-1", 100_00)
    pledge(session, players["bob"], "PB-1", 50_00)
    with pytest.raises(FundingConflict):
        services.pb_scenario_create(user=director, session=session)
    services.pb_session_close(user=director, session=session)

    scenario = services.pb_scenario_create(user=director, session=session)

    lines = dict(scenario.lines.values_list("value_stream__name", "amount_cents"))
    assert lines["Payments"] == 500_00 + 150_00
    assert scenario.history.first().history_user == director
    session.refresh_from_db()
    assert session.scenario == scenario
    services.scenario_commit(user=director, scenario=scenario)
    assert Allocation.objects.get(value_stream=value_stream).amount_cents == 650_00
    assert Allocation.history.model.objects.filter(history_user=director).count() == 1
    with pytest.raises(FundingConflict):
        services.pb_scenario_create(user=director, session=session)


@pytest.mark.parametrize("who", ["vsm", "executive", "program_manager"])
def test_only_directors_close_rounds_sessions_and_make_the_scenario(request, who, session, players):
    user = request.getfixturevalue(who)
    for write in (services.pb_round_close, services.pb_session_close, services.pb_scenario_create):
        with pytest.raises(PermissionDenied):
            write(user=user, session=session)
    session.refresh_from_db()
    assert (session.round, session.status, Scenario.objects.count()) == (1, "open", 0)


def test_only_participants_and_directors_see_a_running_session(session, players, director, executive):
    assert list(pb_sessions_visible(user=players["alice"])) == [session]
    assert list(pb_sessions_visible(user=director)) == [session]
    assert list(pb_sessions_visible(user=executive)) == []
    services.pb_session_close(user=director, session=session)
    assert list(pb_sessions_visible(user=executive)) == [session]


def test_comments_are_for_participants_and_stay_at_the_table(session, players, director):
    offer = session.offers.get(epic__key="PB-1")
    services.pb_comment_add(user=players["alice"], session=session, offer_id=offer.pk, body="Worth it")
    with pytest.raises(PermissionDenied):
        services.pb_comment_add(user=director, session=session, offer_id=offer.pk, body="x")
    assert list(offer.comments.values_list("table__name", "author__username", "body")) == [("A", "alice", "Worth it")]
