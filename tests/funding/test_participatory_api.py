"""Participatory budgeting API: sessions, pledges per table, outcome, director actions, refusals."""

import pytest

from funding import services
from funding.models import PBPledge, PBSession, Scenario

pytestmark = pytest.mark.django_db


def _offer(session, key):
    return session.offers.get(epic__key=key).pk


def test_a_participant_pledges_and_sees_their_table_only(api_as, session, players):
    services.pb_pledge_set(user=players["carol"], session=session, offer_id=_offer(session, "PB-1"), amount_cents=99_00)
    client = api_as(players["alice"])

    response = client.post(
        f"/api/pb-sessions/{session.pk}/pledges/", {"offer": _offer(session, "PB-1"), "amount": "40.00"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["amount"] == "40.00"
    listed = client.get(f"/api/pb-sessions/{session.pk}/pledges/").json()
    assert [(p["table"], p["epic"], p["amount"]) for p in listed] == [("A", "PB-1", "40.00")]
    offers = {o["key"]: o["pooled"] for o in client.get(f"/api/pb-sessions/{session.pk}/offers/").json()}
    assert offers == {"PB-1": "40.00", "PB-2": "0.00", "PB-3": "0.00"}


def test_a_director_outside_the_tables_sees_no_pledge_before_close(api_as, session, players, director):
    services.pb_pledge_set(user=players["carol"], session=session, offer_id=_offer(session, "PB-1"), amount_cents=99_00)
    client = api_as(director)
    assert client.get(f"/api/pb-sessions/{session.pk}/pledges/").json() == []
    client.post(f"/api/pb-sessions/{session.pk}/close/")
    assert [p["amount"] for p in client.get(f"/api/pb-sessions/{session.pk}/pledges/").json()] == []  # returned


@pytest.mark.parametrize(
    ("amount", "status", "field"),
    [("100.01", 400, "amount"), ("1.001", 400, "amount"), ("-5", 400, "amount"), ("1e3", 400, "amount")],
)
def test_bad_pledges_are_4xx_and_change_nothing(api_as, session, players, amount, status, field):
    response = api_as(players["alice"]).post(
        f"/api/pb-sessions/{session.pk}/pledges/", {"offer": _offer(session, "PB-1"), "amount": amount}, format="json"
    )
    assert response.status_code == status
    assert field in response.json()
    assert PBPledge.objects.count() == 0


@pytest.mark.parametrize("who", ["vsm", "executive", "program_manager"])
def test_a_running_session_is_not_found_by_others(api_as, request, who, session):
    client = api_as(request.getfixturevalue(who))
    assert client.get("/api/pb-sessions/").json()["results"] == []
    assert client.get(f"/api/pb-sessions/{session.pk}/").status_code == 404
    response = client.post(
        f"/api/pb-sessions/{session.pk}/pledges/", {"offer": _offer(session, "PB-1"), "amount": "1.00"}, format="json"
    )
    assert response.status_code == 404
    assert PBPledge.objects.count() == 0


def test_a_participant_cannot_close_the_round_or_session(api_as, session, players):
    client = api_as(players["alice"])
    for action in ("close-round", "close", "scenario"):
        assert client.post(f"/api/pb-sessions/{session.pk}/{action}/").status_code == 403
    session.refresh_from_db()
    assert (session.round, session.status) == (1, "open")


def test_outcome_answers_409_while_running_then_the_result(api_as, session, players, director):
    services.pb_pledge_set(user=players["alice"], session=session, offer_id=_offer(session, "PB-3"), amount_cents=80_00)
    client = api_as(director)
    assert client.get(f"/api/pb-sessions/{session.pk}/outcome/").status_code == 409
    assert client.post(f"/api/pb-sessions/{session.pk}/close/").json()["status"] == "closed"

    outcome = client.get(f"/api/pb-sessions/{session.pk}/outcome/").json()

    assert outcome["per_table"] == {"A": ["PB-3"], "B": []}
    assert outcome["by_value_stream"][0]["amount"] == "80.00"
    scenario = client.post(f"/api/pb-sessions/{session.pk}/scenario/").json()
    assert Scenario.objects.get(pk=scenario["id"]).pb_session == session
    assert client.post(f"/api/pb-sessions/{session.pk}/scenario/").status_code == 409


def test_director_creates_a_session_by_api(api_as, director, pb_budget, pb_epics, players):
    response = api_as(director).post(
        "/api/pb-sessions/",
        {
            "budget": pb_budget.pk,
            "name": "API game",
            "money": "300.00",
            "ends_at": "2099-01-01T10:00:00Z",
            "epics": [e.pk for e in pb_epics],
            "tables": [{"name": "T1", "participants": [players["alice"].pk, players["bob"].pk, players["carol"].pk]}],
            "caps": [{"investment_type": "enablers", "max_pct": 40}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["money"] == "300.00"
    assert set(PBSession.objects.get().participants.values_list("share_cents", flat=True)) == {100_00}


def test_only_directors_create_sessions_by_api(api_as, vsm, pb_budget, pb_epics, players):
    response = api_as(vsm).post(
        "/api/pb-sessions/",
        {
            "budget": pb_budget.pk,
            "name": "x",
            "money": "1.00",
            "ends_at": "2099-01-01T10:00:00Z",
            "epics": [pb_epics[0].pk],
            "tables": [{"name": "T", "participants": [players["alice"].pk]}],
        },
        format="json",
    )
    assert response.status_code == 403
    assert PBSession.objects.count() == 0


def test_pledge_list_has_a_constant_query_count(api_as, session, players, django_assert_num_queries):
    client = api_as(players["alice"])
    url = f"/api/pb-sessions/{session.pk}/pledges/"
    for key in ("PB-1", "PB-3"):
        services.pb_pledge_set(
            user=players["alice"], session=session, offer_id=_offer(session, key), amount_cents=10_00
        )
    # session (visibility), the seat, the pledges with their table and epic: the same for 1 or 2 rows
    with django_assert_num_queries(4):
        assert len(client.get(url).json()) == 2
