"""The portfolio's cumulative flow of epics at /kanban/flow/?from=&to=, all value streams."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from kanban.selectors import epic_cumulative_flow
from tests.factories import EpicFactory, TransitionFactory

pytestmark = pytest.mark.django_db


def _at(day: int, month: int = 7) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10))


@pytest.fixture
def moves(value_stream, other_value_stream):
    """A (Payments): funnel 1 July, backlog 3 July, done 5 July. B (Onboarding): funnel 30 June
    (before the period), analyzing 2 July, back to the funnel 4 July (not a new arrival)."""
    a = EpicFactory(value_stream=value_stream)
    b = EpicFactory(value_stream=other_value_stream)
    TransitionFactory(epic=a, from_state="", to_state="funnel", at=_at(1))
    TransitionFactory(epic=a, from_state="analyzing", to_state="backlog", at=_at(3))
    TransitionFactory(epic=a, from_state="implementing", to_state="done", at=_at(5))
    TransitionFactory(epic=b, from_state="", to_state="funnel", at=_at(30, 6))
    TransitionFactory(epic=b, from_state="funnel", to_state="analyzing", at=_at(2))
    TransitionFactory(epic=b, from_state="analyzing", to_state="funnel", at=_at(4))


EXPECTED = {
    "funnel": [2, 2, 2, 2, 2],
    "reviewing": [0, 0, 0, 0, 0],
    "analyzing": [0, 1, 1, 1, 1],
    "backlog": [0, 0, 1, 1, 1],
    "implementing": [0, 0, 0, 0, 0],
    "done": [0, 0, 0, 0, 1],
}


def test_cumulative_flow_of_all_value_streams(moves, value_stream):
    cfd = epic_cumulative_flow(start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 5))

    assert cfd["labels"] == ["2026-07-01", "2026-07-02", "2026-07-03", "2026-07-04", "2026-07-05"]
    assert {band["state"]: band["counts"] for band in cfd["states"]} == EXPECTED
    # one stream only: A alone
    payments = epic_cumulative_flow(value_stream_id=value_stream.id, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 5))
    assert {band["state"]: band["counts"][-1] for band in payments["states"]}["funnel"] == 1


def test_flow_page_draws_the_chosen_period_in_constant_queries(client, executive, moves, django_assert_num_queries):
    client.force_login(executive)

    with django_assert_num_queries(4):  # session, user, the cumulative flow, the nav's groups
        response = client.get("/kanban/flow/?from=2026-07-01&to=2026-07-05")

    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(re.search(r'<script id="kanban-flow-chart"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert {band["state"]: band["counts"] for band in data["states"]} == EXPECTED
    assert '<tr><th scope="row">Done</th><td class="num">1</td></tr>' in html
    assert "vendor/chart-4.6.1.umd.min.js" in html
    assert 'id="chart-portfolio-cfd"' in html


@pytest.mark.parametrize(
    "query",
    ["?from=2026-13-01&to=2026-07-05", "?from=2026-07-05&to=2026-07-01", "?from=2020-01-01&to=2026-07-01", "?to=x"],
)
def test_bad_periods_are_a_400(client, executive, query):
    client.force_login(executive)
    assert client.get(f"/kanban/flow/{query}").status_code == 400


def test_flow_page_defaults_to_the_last_90_days(client, executive):
    client.force_login(executive)
    data = client.get("/kanban/flow/").context["cfd"]
    assert len(data["labels"]) == 91
    assert data["labels"][-1] == timezone.localdate().isoformat()
