"""Participatory budgeting pages: a table board per participant (never another table's pledges
before close), htmx pledges, refusals that change nothing, director controls, the outcome."""

import pytest
from django.urls import reverse

from funding import services
from funding.models import PBPledge, PBSession

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _pledge(session, user, key, cents):
    offer = session.offers.get(epic__key=key)
    services.pb_pledge_set(user=user, session=session, offer_id=offer.pk, amount_cents=cents)


def test_a_participant_sees_their_tables_pool_not_the_other_tables(client, session, players):
    _pledge(session, players["alice"], "PB-1", 40_00)
    _pledge(session, players["carol"], "PB-1", 99_00)
    client.force_login(players["bob"])

    response = client.get(reverse("funding-pb", args=[session.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 3s"' in html
    assert "40.00" in html
    assert "99.00" not in html


def test_the_polled_board_is_a_fragment_of_the_table(client, session, players):
    _pledge(session, players["carol"], "PB-2", 33_00)
    client.force_login(players["dan"])
    response = client.get(reverse("funding-pb-board", args=[session.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="pb-board"' in html
    assert "33.00" in html


def test_a_participant_pledges_by_htmx_and_sees_it_funded(client, session, players):
    _pledge(session, players["alice"], "PB-3", 50_00)
    client.force_login(players["bob"])
    offer = session.offers.get(epic__key="PB-3")

    response = client.post(
        reverse("funding-pb-pledge", args=[session.pk]), {"offer": offer.pk, "amount": "30.00"}, **HTMX
    )

    assert response.status_code == 200
    assert "Funded" in response.content.decode()
    assert PBPledge.objects.get(participant__user=players["bob"]).amount_cents == 30_00


@pytest.mark.parametrize(
    ("amount", "message"), [("100.01", "Your share has 100.00 left"), ("1.005", "Enter"), ("-1", "Enter")]
)
def test_a_refused_pledge_says_why_and_changes_nothing(client, session, players, amount, message):
    client.force_login(players["bob"])
    offer = session.offers.get(epic__key="PB-1")
    response = client.post(reverse("funding-pb-pledge", args=[session.pk]), {"offer": offer.pk, "amount": amount})
    assert response.status_code == 400
    assert PBPledge.objects.count() == 0


@pytest.mark.parametrize("who", ["vsm", "executive", "program_manager"])
def test_a_non_participant_does_not_find_a_running_session(client, request, who, session):
    client.force_login(request.getfixturevalue(who))
    offer = session.offers.get(epic__key="PB-1")
    assert client.get(reverse("funding-pb", args=[session.pk])).status_code == 404
    assert client.get(reverse("funding-pb-board", args=[session.pk])).status_code == 404
    response = client.post(reverse("funding-pb-pledge", args=[session.pk]), {"offer": offer.pk, "amount": "1.00"})
    assert response.status_code == 404
    assert PBPledge.objects.count() == 0


def test_a_director_who_does_not_sit_at_a_table_cannot_pledge(client, session, director):
    client.force_login(director)
    offer = session.offers.get(epic__key="PB-1")
    response = client.post(reverse("funding-pb-pledge", args=[session.pk]), {"offer": offer.pk, "amount": "1.00"})
    assert response.status_code == 403
    assert PBPledge.objects.count() == 0
    assert client.get(reverse("funding-pb-board", args=[session.pk])).status_code == 403


def test_a_participant_cannot_close_the_session(client, session, players):
    client.force_login(players["alice"])
    assert client.post(reverse("funding-pb-close", args=[session.pk])).status_code == 403
    session.refresh_from_db()
    assert session.status == "open"


def test_director_closes_and_everyone_sees_every_tables_outcome(client, session, players, director, executive):
    _pledge(session, players["alice"], "PB-3", 80_00)
    _pledge(session, players["carol"], "PB-2", 100_00)
    _pledge(session, players["dan"], "PB-2", 20_00)
    client.force_login(director)
    assert client.post(reverse("funding-pb-close", args=[session.pk])).status_code == 302

    client.force_login(executive)
    html = client.get(reverse("funding-pb", args=[session.pk])).content.decode()
    assert "A: PB-3" in html
    assert "B: PB-2" in html


def test_director_opens_a_session_from_the_page(client, director, pb_budget, pb_epics, players):
    client.force_login(director)
    response = client.post(
        reverse("funding-pb-index") + f"?quarter={pb_budget.quarter.code}",
        {
            "name": "Page game",
            "money": "200.00",
            "ends_at": "2099-01-01T10:00",
            "epics": [pb_epics[0].pk, pb_epics[2].pk],
            "tables": "A: alice, bob\nB: carol",
            "caps": "enablers 30\nh2 10",
        },
    )
    session = PBSession.objects.get()
    assert response.status_code == 302
    assert sorted(session.participants.values_list("user__username", "share_cents")) == [
        ("alice", 66_66),
        ("bob", 66_66),
        ("carol", 66_66),
    ]
    assert sorted(session.caps.values_list("investment_type", "horizon", "max_pct")) == [
        ("", "h2", 10),
        ("enablers", "", 30),
    ]


@pytest.mark.parametrize("tables", ["A alice", "A: nobody"])
def test_a_bad_table_line_is_a_form_error(client, director, pb_budget, pb_epics, players, tables):
    client.force_login(director)
    response = client.post(
        reverse("funding-pb-index"),
        {"name": "x", "money": "1.00", "ends_at": "2099-01-01T10:00", "epics": [pb_epics[0].pk], "tables": tables},
    )
    assert response.status_code == 400
    assert PBSession.objects.count() == 0


def test_the_board_has_a_constant_query_count(client, session, players, django_assert_num_queries):
    client.force_login(players["alice"])
    url = reverse("funding-pb-board", args=[session.pk])
    client.get(url, **HTMX)
    with django_assert_num_queries(9):
        client.get(url, **HTMX)
