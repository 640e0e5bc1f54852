"""Governance flow: days epics spend in reviewing, analyzing and the portfolio backlog, per
quarter, median and 85th percentile, hand-computed (interpolated percentiles)."""

import datetime as dt

import pytest
from django.utils import timezone

from kanban.selectors import governance_flow_days
from tests.factories import EpicFactory, TransitionFactory

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def day(month: int, d: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, d, 12, 0))


def _moves(epic, moves: list[tuple[dt.datetime, str]]) -> None:
    previous = "funnel"
    for at, to_state in moves:
        TransitionFactory(epic=epic, from_state=previous, to_state=to_state, at=at)
        previous = to_state


@pytest.fixture
def governance(value_stream, other_value_stream):
    e1 = EpicFactory(key="GOV-1", value_stream=value_stream)
    # 1 day reviewing, 3 analyzing, back to reviewing 1 day, 2 analyzing, then in the backlog.
    _moves(
        e1,
        [
            (day(7, 5), "reviewing"),
            (day(7, 6), "analyzing"),
            (day(7, 9), "reviewing"),
            (day(7, 10), "analyzing"),
            (day(7, 12), "backlog"),
        ],
    )
    e2 = EpicFactory(key="GOV-2", value_stream=value_stream)
    _moves(e2, [(day(7, 5), "reviewing"), (day(7, 7), "analyzing"), (day(7, 8), "backlog")])
    for key, days, stream in (
        ("GOV-3", 4, value_stream),
        ("GOV-4", 10, value_stream),
        ("GOV-5", 20, other_value_stream),
    ):
        epic = EpicFactory(key=key, value_stream=stream)
        _moves(epic, [(day(7, 5), "reviewing"), (day(7, 5) + dt.timedelta(days=days), "analyzing")])
    # Left every governance state in June: not this quarter's.
    e6 = EpicFactory(key="GOV-6", value_stream=value_stream)
    _moves(
        e6, [(day(6, 1), "reviewing"), (day(6, 2), "analyzing"), (day(6, 3), "backlog"), (day(6, 10), "implementing")]
    )


def _figures(rows):
    return {row.state: (row.epics, row.median_days, row.p85_days) for row in rows}


def test_governance_flow_per_state_in_the_quarter(governance, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = governance_flow_days(start=Q3[0], end=Q3[1])
    assert [row.state for row in rows] == ["reviewing", "analyzing", "backlog"]
    # Reviewing per epic: GOV-1 1 + 1 = 2, GOV-2 2, 4, 10, 20 -> median 4;
    # P85: (5 - 1) x 0.85 = 3.4 -> 10 x 0.6 + 20 x 0.4 = 14.
    # Analyzing: GOV-1 3 + 2 = 5 (a return counts again), GOV-2 1 -> median 3; P85 1 x 0.15 + 5 x 0.85 = 4.4.
    # Backlog: GOV-1 and GOV-2 are still there; GOV-6 left in June -> no data.
    assert _figures(rows) == {
        "reviewing": (5, 4.0, 14.0),
        "analyzing": (2, 3.0, 4.4),
        "backlog": (0, None, None),
    }


def test_governance_flow_of_one_value_stream(governance, value_stream):
    rows = governance_flow_days(start=Q3[0], end=Q3[1], value_stream_id=value_stream.pk)
    # Reviewing 2, 2, 4, 10 -> median 3; P85: 3 x 0.85 = 2.55 -> 4 x 0.45 + 10 x 0.55 = 7.3.
    assert _figures(rows)["reviewing"] == (4, 3.0, 7.3)


def test_june_is_last_quarter(governance):
    rows = governance_flow_days(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
    assert _figures(rows) == {"reviewing": (1, 1.0, 1.0), "analyzing": (1, 1.0, 1.0), "backlog": (1, 7.0, 7.0)}


@pytest.mark.parametrize("quarter", ["2026-Q3"], indirect=True)
def test_the_governance_panel_on_the_kanban(client, executive, quarter, governance, django_assert_num_queries):
    client.force_login(executive)
    board = client.get("/kanban/").content.decode()
    assert 'hx-get="/kanban/governance/"' in board
    client.get("/kanban/governance/?quarter=2026-Q3", headers={"HX-Request": "true"})
    # session, user, the quarter, the figures
    with django_assert_num_queries(4):
        html = client.get("/kanban/governance/?quarter=2026-Q3", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert 'id="governance-panel"' in html
    assert '<tr id="governance-reviewing"><th scope="row">Reviewing</th><td>5</td>' in html
    assert "<td>4.0</td><td>14.0</td>" in html
    # the panel on the board keeps a way to the page, which has the other quarters
    assert '<a href="/kanban/governance/">Governance flow by quarter</a>' in html
    page = client.get("/kanban/governance/?quarter=2026-Q3").content.decode()
    assert "<html" in page
    assert "Governance flow by quarter" not in page


@pytest.mark.parametrize("quarter", ["2026-Q3"], indirect=True)
def test_the_monthly_report_shows_the_governance_flow(client, executive, quarter, governance):
    client.force_login(executive)
    html = client.get("/reports/monthly/?month=2026-08").content.decode()
    assert (
        '<tr id="report-governance-analyzing"><th scope="row">Analyzing</th><td class="num">2</td>'
        '<td class="num">3.0</td><td class="num">4.4</td>' in html
    )
    assert (
        '<tr id="report-governance-backlog"><th scope="row">Portfolio backlog</th><td class="num">0</td>'
        '<td class="num">no data</td>' in html
    )
