"""The /okrs/ tree, the htmx quick check-in, the KR page and the epic include."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from okrs.models import CheckIn, KeyResult, Objective, ObjectiveLevel
from tests.factories import (
    CheckInFactory,
    EpicFactory,
    KeyResultFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(quarter, value_stream, other_value_stream):
    """A portfolio objective with one aligned objective per stream, one KR each."""
    parent = ObjectiveFactory(quarter=quarter, level=ObjectiveLevel.PORTFOLIO, value_stream=None, title="Grow digital")
    mine = ObjectiveFactory(quarter=quarter, value_stream=value_stream, parent=parent, title="Faster payments")
    theirs = ObjectiveFactory(quarter=quarter, value_stream=other_value_stream, parent=parent, title="Easy signup")
    return {
        "parent": parent,
        "mine": mine,
        "theirs": theirs,
        "my_kr": KeyResultFactory(objective=mine, title="Instant share", baseline=0, target=100, current=30),
        "their_kr": KeyResultFactory(objective=theirs, title="Signup rate", baseline=0, target=10, current=8),
    }


def test_okrs_page_shows_the_tree_with_grades_bands_and_forms_only_where_allowed(client, vsm, tree):
    client.force_login(vsm)

    html = client.get("/okrs/?quarter=2026-Q3").content.decode()

    assert html.index("Grow digital") < html.index("Faster payments") < html.index("Instant share")
    assert f'id="kr-{tree["my_kr"].id}"' in html
    assert "30%" in html and "Off track" in html  # my KR
    assert "80%" in html and "On track" in html  # the other stream's KR
    # One check-in dialog for the page; a row they may check in links to it (and, without
    # JavaScript, to the key result's page and its form); the other stream's row does not.
    assert html.count('id="check-in-form"') == 1
    assert f'class="check-in-open" data-kr="{tree["my_kr"].id}"' in html
    assert f'class="check-in-open" data-kr="{tree["their_kr"].id}"' not in html


def test_sparkline_is_inline_svg_from_the_check_ins(client, vsm, tree):
    kr = tree["my_kr"]
    CheckInFactory(key_result=kr, value=0, date="2026-07-05")
    CheckInFactory(key_result=kr, value=100, date="2026-07-20")
    client.force_login(vsm)

    html = client.get("/okrs/?quarter=2026-Q3").content.decode()

    assert '<polyline points="0.0,22.0 100.0,2.0"/>' in html
    assert "style=" not in html


def test_htmx_check_in_answers_the_row_and_the_objective_score(client, vsm, tree):
    kr = tree["my_kr"]
    client.force_login(vsm)

    response = client.post(
        f"/okrs/key-results/{kr.id}/check-in/", {"value": "75", "confidence": "8", "note": ""}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<tr id="kr-{kr.id}"')
    assert f'id="objective-score-{tree["mine"].id}" class="objective-score" hx-swap-oob="true"' in html
    assert "75%" in html and "On track" in html and "8/10" in html
    kr.refresh_from_db()
    assert (kr.current, kr.confidence) == (Decimal(75), 8)


def test_bad_check_in_shows_the_message_in_the_row_and_changes_nothing(client, vsm, tree):
    kr = tree["my_kr"]
    client.force_login(vsm)

    response = client.post(
        f"/okrs/key-results/{kr.id}/check-in/", {"value": "abc", "confidence": "5"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_plain_post_check_in_redirects_back_to_the_tree(client, director, tree):
    kr = tree["their_kr"]
    client.force_login(director)

    response = client.post(f"/okrs/key-results/{kr.id}/check-in/", {"value": "9", "confidence": "6"})

    assert response.status_code == 302
    assert response["Location"] == f"/okrs/?quarter=2026-Q3#kr-{kr.id}"
    assert CheckIn.objects.get().value == Decimal(9)


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_check_in_on_the_page_and_nothing_changes(client, request, persona, tree):
    kr = tree["my_kr"]
    client.force_login(request.getfixturevalue(persona))

    response = client.post(f"/okrs/key-results/{kr.id}/check-in/", {"value": "90", "confidence": "5"})

    assert response.status_code == 403
    kr.refresh_from_db()
    assert kr.current == Decimal(30)
    assert CheckIn.objects.count() == 0


def test_okrs_page_runs_a_constant_number_of_queries(client, vsm, tree, quarter, django_assert_num_queries):
    client.force_login(vsm)
    client.get("/okrs/?quarter=2026-Q3")  # warm the session
    # session, user, quarter, check-ins, KRs, objectives, roles, managed streams, the user menu's groups,
    # quarters, streams
    with django_assert_num_queries(11):
        client.get("/okrs/?quarter=2026-Q3")
    for n in range(8):
        objective = ObjectiveFactory(quarter=quarter, value_stream=tree["mine"].value_stream, parent=tree["parent"])
        for kr in KeyResultFactory.create_batch(3, objective=objective):
            CheckInFactory.create_batch(2, key_result=kr, value=n)
    with django_assert_num_queries(11):
        client.get("/okrs/?quarter=2026-Q3")


def test_key_result_page_shows_epics_and_chart_data(client, executive, tree, value_stream):
    kr = tree["my_kr"]
    kr.epics.add(EpicFactory(value_stream=value_stream, key="PAY-7", title="Instant payouts"))
    CheckInFactory(key_result=kr, value=30, confidence=6, date="2026-07-10")
    client.force_login(executive)

    html = client.get(f"/okrs/key-results/{kr.id}/").content.decode()

    assert "PAY-7 Instant payouts" in html
    assert 'id="kr-chart-data"' in html
    assert '"values": [30.0]' in html
    assert 'action="/okrs/key-results/' not in html  # executives read only


def test_key_result_form_refuses_target_equal_to_baseline(client, vsm, tree):
    client.force_login(vsm)

    response = client.post(
        f"/okrs/objectives/{tree['mine'].id}/key-results/new/",
        {
            "title": "Flat",
            "direction": "increase",
            "baseline": "5",
            "target": "5",
            "weight": "1",
            "commitment": "committed",
        },
    )

    assert response.status_code == 400
    assert "The target must differ from the baseline" in response.content.decode()
    assert KeyResult.objects.filter(title="Flat").exists() is False


def test_key_result_form_is_forbidden_on_another_stream(client, vsm, tree):
    client.force_login(vsm)

    response = client.post(
        f"/okrs/objectives/{tree['theirs'].id}/key-results/new/",
        {
            "title": "Mine now",
            "direction": "increase",
            "baseline": "0",
            "target": "5",
            "weight": "1",
            "commitment": "committed",
        },
    )

    assert response.status_code == 403
    assert KeyResult.objects.filter(title="Mine now").exists() is False


def test_epic_include_lists_its_key_results_in_one_query(tree, value_stream, django_assert_num_queries):
    epic = EpicFactory(value_stream=value_stream)
    tree["my_kr"].epics.add(epic)

    with django_assert_num_queries(1):
        html = render_to_string("okrs/_epic_key_results.html", {"epic": epic})

    assert "Instant share" in html
    assert "30%" in html
    assert "Off track" in html


def test_vsm_creates_an_objective_for_their_stream_aligned_to_a_portfolio_objective(client, vsm, tree, value_stream):
    client.force_login(vsm)

    response = client.post(
        "/okrs/objectives/new/?quarter=2026-Q3",
        {
            "level": "value_stream",
            "value_stream": value_stream.id,
            "title": "Cheaper payouts",
            "parent": tree["parent"].id,
        },
    )

    created = Objective.objects.get(title="Cheaper payouts")
    assert response.status_code == 302
    assert (created.value_stream, created.parent, created.owner, created.quarter.code) == (
        value_stream,
        tree["parent"],
        vsm,
        "2026-Q3",
    )


def test_vsm_cannot_create_objectives_for_another_stream_or_the_portfolio(client, vsm, tree, other_value_stream):
    client.force_login(vsm)

    other = client.post(
        "/okrs/objectives/new/?quarter=2026-Q3",
        {"level": "value_stream", "value_stream": other_value_stream.id, "title": "Theirs"},
    )
    portfolio = client.post("/okrs/objectives/new/?quarter=2026-Q3", {"level": "portfolio", "title": "Ours"})

    assert other.status_code == 400  # not among the choices offered
    assert portfolio.status_code == 403
    assert Objective.objects.filter(title__in=["Theirs", "Ours"]).exists() is False


def test_executive_cannot_open_the_objective_form(client, executive, tree):
    client.force_login(executive)

    assert client.get("/okrs/objectives/new/?quarter=2026-Q3").status_code == 403


def test_director_creates_a_portfolio_objective(client, director, tree):
    client.force_login(director)

    client.post("/okrs/objectives/new/?quarter=2026-Q3", {"level": "portfolio", "title": "Be the safest bank"})

    assert Objective.objects.get(title="Be the safest bank").level == ObjectiveLevel.PORTFOLIO


def test_vsm_changes_a_target_and_the_page_shows_the_old_one(client, vsm, tree):
    kr = tree["my_kr"]
    client.force_login(vsm)

    response = client.post(
        f"/okrs/key-results/{kr.id}/edit/",
        {
            "title": kr.title,
            "direction": "increase",
            "baseline": "0",
            "target": "80",
            "weight": "1",
            "commitment": "committed",
        },
    )
    html = client.get(f"/okrs/key-results/{kr.id}/").content.decode()

    assert response.status_code == 302
    kr.refresh_from_db()
    assert kr.target == Decimal(80)
    assert '<td class="num">80</td>' in html and '<td class="num">100</td>' in html
    assert ">val_vsm<" in html


def test_other_vsm_cannot_edit_the_key_result(client, other_vsm, tree):
    kr = tree["my_kr"]
    client.force_login(other_vsm)

    response = client.post(
        f"/okrs/key-results/{kr.id}/edit/",
        {
            "title": "Hijack",
            "direction": "increase",
            "baseline": "0",
            "target": "5",
            "weight": "1",
            "commitment": "committed",
        },
    )

    assert response.status_code == 403
    kr.refresh_from_db()
    assert (kr.title, kr.target) == ("Instant share", Decimal(100))


def test_okrs_page_filters_by_value_stream_keeping_the_portfolio_parent(client, executive, tree):
    client.force_login(executive)

    html = client.get("/okrs/?quarter=2026-Q3&value_stream=onboarding").content.decode()

    assert "Grow digital" in html
    assert "Easy signup" in html
    assert "Faster payments" not in html


def test_key_result_page_runs_a_constant_number_of_queries(
    client, executive, tree, value_stream, django_assert_num_queries
):
    kr = tree["my_kr"]
    client.force_login(executive)
    client.get(f"/okrs/key-results/{kr.id}/")
    # session, user, KR, epics, MMPs, check-ins, history, roles, user menu groups
    with django_assert_num_queries(9) as small:
        client.get(f"/okrs/key-results/{kr.id}/")
    for n in range(6):
        kr.epics.add(EpicFactory(value_stream=value_stream))
        CheckInFactory(key_result=kr, value=n * 10, date=f"2026-07-{n + 1:02d}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(f"/okrs/key-results/{kr.id}/")
