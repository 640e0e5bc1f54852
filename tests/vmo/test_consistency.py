"""Issue 15 point 10, consistency across pages: people by full name, one date format (the
project's format module), no Django "---------" placeholder in any select, and chart data that
carries real dates and units."""

import datetime as dt
import json
import re

import pytest
from django.utils import formats

from portfolio import roles
from tests.factories import CheckInFactory, EpicFactory, KeyResultFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def diana(db):
    return UserFactory(username="dreyes", first_name="Diana", last_name="Reyes")


def _chart(html: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_people_are_shown_by_full_name_not_username(client, director, value_stream, quarter, diana):
    # Given an epic owned by Diana and a key result she checked in on
    EpicFactory(value_stream=value_stream, key="PAY-1", title="Instant payouts", owner=diana)
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream, owner=diana)
    kr = KeyResultFactory(objective=objective, baseline=0, target=100)
    CheckInFactory(key_result=kr, value=40, date="2026-07-10", author=diana)
    client.force_login(director)

    # When the board, the epic page, the OKR tree and the KR page render
    pages = ["/kanban/", "/kanban/epics/PAY-1/", "/okrs/?quarter=2026-Q3", f"/okrs/key-results/{kr.id}/"]
    for path in pages:
        html = client.get(path).content.decode()

        # Then each names her "Diana Reyes", never by her username
        assert "Diana Reyes" in html, path
        assert "dreyes" not in html, path


def test_a_user_without_a_name_is_shown_by_username(client, value_stream):
    nameless = UserFactory(username="ops_bot", roles=[roles.DIRECTOR])
    client.force_login(nameless)

    html = client.get("/kanban/").content.decode()

    assert "<summary>ops_bot</summary>" in html


def test_one_date_format_comes_from_the_format_module(client, director, value_stream, quarter):
    # Given a check-in on 10 July 2026 (shown with no explicit format in the template)
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream)
    kr = KeyResultFactory(objective=objective, baseline=0, target=100)
    CheckInFactory(key_result=kr, value=40, date="2026-07-10")
    client.force_login(director)

    html = client.get(f"/okrs/key-results/{kr.id}/").content.decode()

    # Then the page and Django's formatter both write the ISO date, never "July 10, 2026"
    assert "<td>2026-07-10</td>" in html
    assert "July 10, 2026" not in html and "Jul. 10, 2026" not in html
    assert formats.date_format(dt.date(2026, 7, 10)) == "2026-07-10"


# Pages with selects (filters and forms) a director opens.
SELECT_PAGES = [
    "/kanban/",
    "/kanban/scoring/",
    "/kanban/epics/new/",
    "/kanban/epics/PAY-1/",
    "/value-streams/",
    "/vmo/",
    "/vmo/planning/",
    "/vmo/impediments/",
    "/vmo/feedback/",
    "/funding/",
    "/funding/spend/",
    "/funding/teams/",
    "/okrs/?quarter=2026-Q3",
    "/settings/sources/",
    "/settings/kanban/",
    "/reports/schedules/",
]


def test_no_select_offers_the_django_dash_placeholder(client, director, value_stream, quarter):
    EpicFactory(value_stream=value_stream, key="PAY-1", title="Instant payouts")
    client.force_login(director)

    for path in SELECT_PAGES:
        response = client.get(path)

        assert response.status_code == 200, path
        assert "---------" not in response.content.decode(), path


def test_filter_controls_carry_their_label_for_screen_readers(client, director, value_stream):
    client.force_login(director)

    html = client.get("/kanban/").content.decode()

    assert 'aria-label="Value stream"' in html
    assert '<option value="" selected>All value streams</option>' in html
    assert 'aria-label="Owner"' in html


def test_key_result_chart_carries_iso_dates_and_the_quarter_span(client, director, value_stream, quarter):
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream)
    kr = KeyResultFactory(objective=objective, baseline=0, target=100, unit="%")
    CheckInFactory(key_result=kr, value=10, date="2026-07-03")
    CheckInFactory(key_result=kr, value=40, date="2026-08-21")
    client.force_login(director)

    chart = _chart(client.get(f"/okrs/key-results/{kr.id}/").content.decode(), "kr-chart-data")

    # The script places these on a linear axis of days: 49 days apart, not two equal steps
    assert chart["labels"] == ["2026-07-03", "2026-08-21"]
    assert chart["start"] == "2026-07-01"
    assert chart["end"] == "2026-09-30"
    assert chart["unit"] == "%"


def test_overview_trend_is_labelled_by_quarter_code(client, director, value_stream, quarter, previous_quarter):
    client.force_login(director)

    html = client.get("/?quarter=2026-Q3").content.decode()

    assert _chart(html, "overview-chart-data")["trend"]["quarters"][-2:] == ["2026-Q2", "2026-Q3"]
    assert 'data-currency="' in html
