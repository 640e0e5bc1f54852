"""Pages: the board, moves from a card's form and by htmx, scoring, the epic page and forms."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from kanban.models import Transition
from portfolio.models import Epic
from tests.factories import (
    EpicFactory,
    MMPFactory,
    RiskFactory,
    StrategicThemeFactory,
    UserFactory,
    ValueStreamFactory,
    WipLimitFactory,
    ready_epic_fields,
)
from tests.kanban.test_api import _bulk_epics

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _card_keys(html: str, state: str) -> list[str]:
    column = html.split(f'id="column-{state}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'id="card-([^"]+)"', column)


def test_board_shows_every_column_with_cards_ranked_and_unscored_marked(client, executive, value_stream):
    EpicFactory(
        key="LOW", value_stream=value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=8
    )
    EpicFactory(key="NONE", value_stream=value_stream)
    EpicFactory(
        key="HIGH", value_stream=value_stream, business_value=8, time_criticality=8, risk_reduction=8, job_size=1
    )
    EpicFactory(key="REV", value_stream=value_stream, state="reviewing")
    client.force_login(executive)

    html = client.get("/kanban/").content.decode()

    for state in ("funnel", "reviewing", "analyzing", "backlog", "implementing", "done", "not_pursued"):
        assert f'id="column-{state}"' in html
    assert _card_keys(html, "funnel") == ["HIGH", "LOW", "NONE"]
    assert _card_keys(html, "reviewing") == ["REV"]
    assert "WSJF 24.00" in html
    assert html.count("unscored-badge") == 2  # NONE and REV
    assert 'id="move-dialog"' not in html  # an executive reads but moves nothing
    assert "tabindex" not in html.split('id="board"', 1)[1]  # no card is focusable for a move


def test_board_filters_with_the_epic_filterset(client, executive, value_stream, other_value_stream):
    theme = StrategicThemeFactory()
    EpicFactory(key="PAY-1", value_stream=value_stream).themes.add(theme)
    EpicFactory(key="ONB-1", value_stream=other_value_stream)
    client.force_login(executive)

    by_stream = client.get(f"/kanban/?value_stream={other_value_stream.id}").content.decode()
    by_theme = client.get(f"/kanban/?theme={theme.id}").content.decode()

    assert _card_keys(by_stream, "funnel") == ["ONB-1"]
    assert _card_keys(by_theme, "funnel") == ["PAY-1"]


def test_board_shows_wip_against_the_limit(client, executive, value_stream):
    WipLimitFactory(state="analyzing", limit=2)
    EpicFactory.create_batch(2, value_stream=value_stream, state="analyzing")
    client.force_login(executive)

    html = client.get("/kanban/").content.decode()

    assert "WIP 2 / 2" in html
    assert 'class="kanban-column at-limit" id="column-analyzing"' in html


def test_board_htmx_request_gets_the_board_fragment(client, executive, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    client.force_login(executive)

    html = client.get("/kanban/", **HTMX).content.decode()

    assert "<html" not in html
    assert html.lstrip().startswith('<div id="board"')
    assert _card_keys(html, "funnel") == ["PAY-1"]


@pytest.mark.parametrize("count", [10, 2000])
def test_board_runs_the_same_number_of_queries_for_10_and_2000_epics(
    client, vsm, value_stream, django_assert_num_queries, count
):
    _bulk_epics(count, [value_stream, ValueStreamFactory()], StrategicThemeFactory())
    WipLimitFactory(state="funnel", limit=5000)
    client.force_login(vsm)

    # session, user, roles, managed streams, 3 filter dropdowns (stream, theme, owner), base.html groups,
    # cards with their column counts, WIP limits, WIP counts, the currency label (issue 19, /settings/display/)
    with django_assert_num_queries(12):
        response = client.get("/kanban/")

    assert response.status_code == 200
    assert len(_card_keys(response.content.decode(), "funnel")) == min(count, 25)


@pytest.mark.parametrize("count", [30, 1500])
def test_a_shown_column_costs_no_more_queries(client, vsm, value_stream, django_assert_num_queries, count):
    _bulk_epics(count, [value_stream, ValueStreamFactory()], StrategicThemeFactory())
    client.force_login(vsm)

    with django_assert_num_queries(12):
        response = client.get("/kanban/?show=funnel")

    assert len(_card_keys(response.content.decode(), "funnel")) == min(count, 1000)


def test_a_column_shows_its_best_25_cards_and_a_link_to_all_of_them(client, executive, value_stream):
    for n in range(25):
        EpicFactory(key=f"F-{n:02}", value_stream=value_stream, **ready_epic_fields())
    EpicFactory.create_batch(2, value_stream=value_stream)  # unscored: ranked last
    EpicFactory.create_batch(3, value_stream=value_stream, state="reviewing")
    client.force_login(executive)

    html = client.get(f"/kanban/?value_stream={value_stream.id}").content.decode()

    funnel = _card_keys(html, "funnel")
    assert len(funnel) == 25
    assert funnel == [f"F-{n:02}" for n in range(25)]  # scored, oldest first on a tie; not the unscored
    assert f'2 more · <a href="?value_stream={value_stream.id}&amp;show=funnel#column-funnel">Show all 27</a>' in html
    assert len(_card_keys(html, "reviewing")) == 3
    assert 'id="more-reviewing"' not in html


def test_show_opens_one_column_keeping_the_filters_and_offers_the_way_back(client, executive, value_stream):
    for n in range(27):
        EpicFactory(key=f"F-{n:02}", value_stream=value_stream)
        EpicFactory(key=f"R-{n:02}", value_stream=value_stream, state="reviewing")
    client.force_login(executive)

    html = client.get(f"/kanban/?value_stream={value_stream.id}&show=funnel").content.decode()

    assert (len(_card_keys(html, "funnel")), len(_card_keys(html, "reviewing"))) == (27, 25)
    assert 'id="more-funnel"' not in html
    assert f'<a href="?value_stream={value_stream.id}#column-funnel">Show the first 25</a>' in html
    # The other column's link opens it instead, with the same filters.
    assert f'href="?value_stream={value_stream.id}&amp;show=reviewing#column-reviewing">Show all 27</a>' in html


@pytest.mark.parametrize("show", ["nonsense", "", "%00", "x" * 5000])
def test_an_unknown_column_to_show_opens_none(client, executive, value_stream, show):
    for n in range(26):
        EpicFactory(key=f"F-{n:02}", value_stream=value_stream)
    client.force_login(executive)

    response = client.get(f"/kanban/?show={show}")

    assert response.status_code == 200
    assert len(_card_keys(response.content.decode(), "funnel")) == 25


def test_a_card_form_moves_without_javascript(client, vsm, value_stream):
    epic = EpicFactory(key="PAY-1", value_stream=value_stream, owner=vsm, **ready_epic_fields())
    client.force_login(vsm)

    response = client.post(
        "/kanban/epics/PAY-1/move/", {"to_state": "reviewing", "version": 1, "reason": "", "query": "kind=business"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/kanban/?kind=business"
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("reviewing", 2)
    assert Transition.objects.filter(epic=epic, to_state="reviewing", by=vsm).count() == 1


def test_an_htmx_move_answers_the_board_fragment_with_the_card_moved(client, vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream, owner=vsm, **ready_epic_fields())
    client.force_login(vsm)

    response = client.post("/kanban/epics/PAY-1/move/", {"to_state": "reviewing", "version": 1}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert _card_keys(html, "reviewing") == ["PAY-1"]
    assert 'id="board-moved"' in html


def test_a_refused_move_shows_every_condition_and_changes_nothing(client, vsm, value_stream):
    epic = EpicFactory(key="PAY-1", value_stream=value_stream)
    client.force_login(vsm)

    response = client.post("/kanban/epics/PAY-1/move/", {"to_state": "reviewing", "version": 1}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Reviewing needs an epic owner." in html
    assert "Reviewing needs the epic hypothesis statement" in html
    assert _card_keys(html, "funnel") == ["PAY-1"]
    assert Epic.objects.get(id=epic.id).version == 1


def test_a_stale_move_from_the_page_is_a_409(client, vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream, owner=vsm, version=2, **ready_epic_fields())
    client.force_login(vsm)

    response = client.post("/kanban/epics/PAY-1/move/", {"to_state": "reviewing", "version": 1})

    assert response.status_code == 409
    assert "now in funnel at version 2" in response.content.decode()
    assert Transition.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_move_from_the_page(client, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    epic = EpicFactory(key="PAY-1", value_stream=value_stream, owner=user, **ready_epic_fields())
    client.force_login(user)

    response = client.post("/kanban/epics/PAY-1/move/", {"to_state": "reviewing", "version": 1})

    assert response.status_code == 403
    assert (Epic.objects.get(id=epic.id).state, Transition.objects.count()) == ("funnel", 0)


# --- scoring -------------------------------------------------------------------------------------


def test_scoring_warns_about_columns_without_a_1(client, vsm, value_stream):
    EpicFactory(value_stream=value_stream, business_value=1, time_criticality=3, risk_reduction=2, job_size=5)
    EpicFactory(value_stream=value_stream, business_value=5, time_criticality=8, risk_reduction=1, job_size=1)
    client.force_login(vsm)

    html = client.get(f"/kanban/scoring/?value_stream={value_stream.id}").content.decode()

    assert 'id="warn-time_criticality"' in html
    assert 'id="warn-business_value"' not in html
    assert 'id="warn-risk_reduction"' not in html
    assert 'id="warn-job_size"' not in html


def test_a_scoring_row_post_answers_only_that_rows_figures_and_the_ranking(client, vsm, value_stream):
    EpicFactory(key="A", value_stream=value_stream, business_value=5, time_criticality=5, risk_reduction=5, job_size=5)
    b = EpicFactory(key="B", value_stream=value_stream)
    EpicFactory(key="C", value_stream=value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=1)
    client.force_login(vsm)

    response = client.post(
        "/kanban/epics/B/score/",
        {"business_value": "20", "time_criticality": "8", "risk_reduction": "1", "job_size": "1", "query": ""},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    # No row, no select: nothing under the cursor is replaced.
    assert ("<tr" in html, "<select" in html, "score-row-" in html) == (False, False, False)
    # B's own figures: CoD 20 + 8 + 1 = 29, WSJF 29 / 1.
    assert '<span id="score-cod-B" hx-swap-oob="true">29</span>' in html
    assert '<span id="score-wsjf-B" hx-swap-oob="true">29.00</span>' in html
    assert "score-cod-A" not in html
    # The ranking, every row's rank out of band: B 29, C 3 / 1 = 3, A 15 / 5 = 3 (tie: higher CoD first).
    ranks = re.findall(r'<span id="score-rank-([^"]+)" hx-swap-oob="true">(\d+)</span>', html)
    assert ranks == [("B", "1"), ("A", "2"), ("C", "3")]
    b.refresh_from_db()
    assert (b.business_value, b.job_size, b.cost_of_delay, b.wsjf) == (20, 1, 29, 29.0)


def test_a_post_of_one_input_keeps_the_others(client, vsm, value_stream):
    EpicFactory(key="B", value_stream=value_stream, business_value=5, time_criticality=3, risk_reduction=2, job_size=5)
    client.force_login(vsm)

    response = client.post("/kanban/epics/B/score/", {"job_size": "1"}, **HTMX)

    assert response.status_code == 200
    assert '<span id="score-wsjf-B" hx-swap-oob="true">10.00</span>' in response.content.decode()
    b = Epic.objects.get(key="B")
    assert (b.business_value, b.time_criticality, b.risk_reduction, b.job_size) == (5, 3, 2, 1)


def test_a_row_post_updates_the_column_warnings_out_of_band(client, vsm, value_stream):
    EpicFactory(key="B", value_stream=value_stream, business_value=1, time_criticality=3, risk_reduction=1, job_size=1)
    client.force_login(vsm)

    html = client.post("/kanban/epics/B/score/", {"time_criticality": "1"}, **HTMX).content.decode()
    assert '<span id="warn-slot-time_criticality" hx-swap-oob="true"></span>' in html

    html = client.post("/kanban/epics/B/score/", {"business_value": "2"}, **HTMX).content.decode()
    assert 'id="warn-business_value"' in html


# Session, user, epic, role and managed streams; the service's write in a savepoint (most of the
# count: full_clean checks each database constraint, then update, history row, rollup outbox,
# generated columns); the column warnings, the ranked rows and their themes. None per row.
@pytest.mark.parametrize("epics", [3, 60])
def test_a_row_post_takes_a_constant_number_of_queries(client, vsm, value_stream, django_assert_num_queries, epics):
    for n in range(epics):
        EpicFactory(key=f"E{n}", value_stream=value_stream, business_value=3, job_size=2)
    client.force_login(vsm)

    with django_assert_num_queries(37):
        response = client.post("/kanban/epics/E1/score/", {"job_size": "5"}, **HTMX)

    assert response.content.decode().count('hx-swap-oob="true">') == 2 + epics + 4


def test_scoring_without_javascript_redirects_back(client, vsm, value_stream):
    EpicFactory(key="B", value_stream=value_stream)
    client.force_login(vsm)

    response = client.post("/kanban/epics/B/score/", {"business_value": "3", "query": "kind=business"})

    assert (response.status_code, response["Location"]) == (302, "/kanban/scoring/?kind=business")
    assert Epic.objects.get(key="B").business_value == 3


def test_a_score_off_the_scale_is_shown_again_and_not_saved(client, vsm, value_stream):
    EpicFactory(key="B", value_stream=value_stream, job_size=3)
    client.force_login(vsm)

    response = client.post("/kanban/epics/B/score/", {"job_size": "4"}, **HTMX)

    assert response.status_code == 400
    assert 'id="scoring-errors"' in response.content.decode()
    assert Epic.objects.get(key="B").job_size == 3


@pytest.mark.parametrize("persona", ["other_vsm", "executive"])
def test_others_cannot_score(client, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    EpicFactory(key="B", value_stream=value_stream)
    client.force_login(user)

    response = client.post("/kanban/epics/B/score/", {"business_value": "3"}, **HTMX)

    assert response.status_code == 403
    assert Epic.objects.get(key="B").business_value is None


# --- epic page and forms ---------------------------------------------------------------------------


def test_epic_page_shows_case_wsjf_mmps_risks_transitions_and_history(client, vsm, executive, value_stream):
    client.force_login(vsm)
    client.post(
        "/kanban/epics/new/",
        {
            "key": "pay-9",
            "title": "Request to pay",
            "value_stream": value_stream.id,
            "kind": "business",
            "investment_type": "business_features",
            "estimated_cost_cents": "1000.00",
            "business_value": "3",
        },
    )
    epic = Epic.objects.get(key="PAY-9")
    client.post(
        "/kanban/epics/PAY-9/edit/",
        {
            "key": "PAY-9",
            "title": "Request to pay",
            "value_stream": value_stream.id,
            "kind": "business",
            "investment_type": "business_features",
            "estimated_cost_cents": "2500.50",
            "business_value": "8",
            "time_criticality": "3",
            "risk_reduction": "2",
            "job_size": "5",
        },
    )
    MMPFactory(epic=epic, kind="mvp", title="Pilot with 100 merchants")
    RiskFactory(value_stream=value_stream, epic=epic, title="Scheme rules change", roam_status="owned")
    Transition.objects.create(epic=epic, from_state="funnel", to_state="reviewing", by=vsm, at=timezone.now())
    client.force_login(executive)

    response = client.get("/kanban/epics/PAY-9/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pilot with 100 merchants" in html
    assert "Scheme rules change" in html
    assert "Funnel → <strong>Reviewing</strong>" in html
    assert "<strong>2.60</strong>" in html  # (8 + 3 + 2) / 5
    history = re.sub(r"\s+", " ", html.split('id="epic-history"', 1)[1])
    assert re.search(r'Business value</td> <td class="num">3</td><td class="num">8</td>', history)
    assert re.search(r'Estimated cost</td> <td class="num">1,000.00</td><td class="num">2,500.50</td>', history)
    assert "KEY-RESULTS-SLOT" not in html  # a template comment, not output


def test_a_bad_epic_form_is_shown_again_with_messages(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post(
        "/kanban/epics/new/",
        {"key": "", "title": "x", "value_stream": value_stream.id, "estimated_cost_cents": "12.345"},
    )

    assert response.status_code == 400
    assert 'class="field-errors"' in response.content.decode()
    assert Epic.objects.count() == 0


def test_a_vsm_cannot_create_an_epic_in_a_stream_they_do_not_manage(client, vsm, value_stream, other_value_stream):
    client.force_login(vsm)

    response = client.post(
        "/kanban/epics/new/",
        {
            "key": "ONB-1",
            "title": "x",
            "value_stream": other_value_stream.id,
            "kind": "business",
            "investment_type": "business_features",
        },
    )

    assert response.status_code == 400  # not among the form's choices
    assert Epic.objects.count() == 0


@pytest.mark.parametrize("persona", ["executive", "program_manager"])
def test_readers_cannot_open_the_epic_forms(client, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    EpicFactory(key="PAY-1", value_stream=value_stream, title="Before")
    client.force_login(user)

    new = client.get("/kanban/epics/new/")
    edit = client.post("/kanban/epics/PAY-1/edit/", {"key": "PAY-1", "title": "After", "value_stream": value_stream.id})

    assert (new.status_code, edit.status_code) == (403, 403)
    assert Epic.objects.get(key="PAY-1").title == "Before"


def test_director_records_a_go_decision_on_the_page(client, director, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    client.force_login(director)

    response = client.post("/kanban/epics/PAY-1/go-decision/", {"note": "Go"})

    assert response.status_code == 302
    epic = Epic.objects.get(key="PAY-1")
    assert (epic.go_decision_by_id, epic.go_decision_note) == (director.id, "Go")


def test_executive_cannot_record_a_go_decision_on_the_page(client, executive, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    client.force_login(executive)

    response = client.post("/kanban/epics/PAY-1/go-decision/", {"note": "Go"})

    assert response.status_code == 403
    assert Epic.objects.get(key="PAY-1").go_decision_at is None


def test_the_board_has_one_move_form_and_cards_carry_none(client, vsm, value_stream, other_value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    EpicFactory(key="PAY-2", value_stream=value_stream, state="reviewing")
    EpicFactory(key="ONB-1", value_stream=other_value_stream)
    client.force_login(vsm)

    html = client.get("/kanban/").content.decode()
    cards = client.get("/kanban/", **HTMX).content.decode()  # the board's partial: columns and cards

    assert "<form" not in cards and "csrfmiddlewaretoken" not in cards
    assert html.count('id="move-dialog-form"') == 1
    assert html.count('name="to_state"') == 1
    assert re.findall(r'id="card-([^"]+)"[^>]*tabindex="0"', html) == ["PAY-1", "PAY-2"]  # only their stream's
    assert 'href="/kanban/epics/ONB-1/"' in html  # every card links to its epic page (its move form without JS)
    assert 'data-epic-url="/kanban/epics/"' in html


def test_the_epic_page_keeps_a_move_form_for_moves_without_javascript(client, vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    client.force_login(vsm)

    html = client.get("/kanban/epics/PAY-1/").content.decode()

    assert 'action="/kanban/epics/PAY-1/move/"' in html


def _card(html: str, key: str) -> str:
    return html.split(f'id="card-{key}"', 1)[1].split("</li>", 1)[0]


def test_a_card_shows_stream_wsjf_estimate_owner_and_time_in_state(client, executive, value_stream):
    named = UserFactory(username="dreyes", first_name="Diana", last_name="Reyes")
    bare = UserFactory(username="kim")
    EpicFactory(
        key="OWN",
        value_stream=value_stream,
        owner=named,
        estimated_cost_cents=480_000_000,
        business_value=8,
        time_criticality=8,
        risk_reduction=8,
        job_size=1,
    )
    EpicFactory(key="BARE", value_stream=value_stream, owner=bare)
    EpicFactory(key="NOBODY", value_stream=value_stream)
    Epic.objects.filter(key="OWN").update(state_changed_at=timezone.now() - dt.timedelta(days=3, hours=2))
    client.force_login(executive)

    html = client.get("/kanban/").content.decode()

    own = _card(html, "OWN")
    assert "Payments · " in own
    assert "WSJF 24.00" in own
    assert "4,800,000.00" in own
    assert "Diana Reyes" in own
    assert "3\xa0days, 2\xa0hours in state" in own
    assert "kim" in _card(html, "BARE")  # no full name: the username
    assert "no owner" in _card(html, "NOBODY")
