"""Issue 18 point 3 on the API and pages: a sprint's typed committed/done size is recorded by
who may record sprints (denied: nothing written), read back with its effective figures; the
team page shows velocity, say/do and its latest sprint's burn-up; the agile stream's page shows
the stream's and each team's, at a constant number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from funding.models import TeamSprint
from tests.factories import TeamFactory, TeamSprintFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(value_stream):
    return TeamFactory(value_stream=value_stream, name="Rails")


@pytest.mark.parametrize(("persona", "status"), [("vsm", 201), ("director", 201), ("other_vsm", 403)])
def test_typed_sizes_through_the_api(request, api_as, team, persona, status):
    body = {"team": team.id, "start": "2026-07-01", "end": "2026-07-14", "committed_size": 13, "done_size": 8}

    response = api_as(request.getfixturevalue(persona)).post("/api/team-sprints/", body, format="json")

    assert response.status_code == status
    if status == 201:
        assert {k: response.json()[k] for k in ("committed_size", "done_size", "committed", "done")} == {
            "committed_size": 13,
            "done_size": 8,
            "committed": 13,
            "done": 8,
        }
        assert list(TeamSprint.objects.values_list("committed_size", "done_size")) == [(13, 8)]
    else:
        assert TeamSprint.objects.count() == 0


def test_a_negative_size_is_a_400_and_writes_nothing(api_as, vsm, team):
    body = {"team": team.id, "start": "2026-07-01", "end": "2026-07-14", "done_size": -1}

    response = api_as(vsm).post("/api/team-sprints/", body, format="json")

    assert response.status_code == 400
    assert TeamSprint.objects.count() == 0


def test_the_list_reads_figures_from_work_items_when_not_typed(api_as, executive, team, value_stream):
    done = WorkItemFactory(
        value_stream=value_stream,
        size=5,
        status="done",
        started_at=dt.datetime(2026, 7, 2, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 7, 3, tzinfo=dt.UTC),
    )
    TeamSprintFactory(team=team, items=[done, WorkItemFactory(value_stream=value_stream, size=3)])

    row = api_as(executive).get("/api/team-sprints/").json()["results"][0]

    assert (row["committed_size"], row["done_size"], row["committed"], row["done"]) == (None, None, 8, 5)


def test_the_team_page_shows_velocity_say_do_and_the_burn_up(client, executive, team):
    today = timezone.localdate()
    # Two sprints ended in the last 12 weeks: 10/8 and 10/6 -> velocity 7.0, say/do 14/20 = 70 %.
    TeamSprintFactory(
        team=team,
        start=today - dt.timedelta(days=27),
        end=today - dt.timedelta(days=14),
        committed_size=10,
        done_size=8,
    )
    TeamSprintFactory(team=team, start=today - dt.timedelta(days=13), end=today, committed_size=10, done_size=6)
    client.force_login(executive)

    html = client.get(f"/funding/teams/{team.id}/sprints/").content.decode()

    assert '<strong id="team-velocity">7.0</strong>' in html
    assert '<strong id="team-say-do">70%</strong>' in html or '<strong id="team-say-do">70 %</strong>' in html
    assert 'id="chart-sprint-burnup"' in html
    assert 'id="sprint-burnup"' in html


def test_the_agile_stream_page_shows_the_sprint_panel_at_constant_queries(
    client, executive, value_stream, team, current_quarter, django_assert_num_queries
):
    today = timezone.localdate()
    client.force_login(executive)
    TeamSprintFactory(team=team, start=today - dt.timedelta(days=13), end=today, committed_size=10, done_size=5)
    client.get("/value-streams/payments/")  # warm the session

    # The stream page with its sprint panel (4 queries), the currency label (1, issue 19), people in
    # their roles and release trains (2, issue 20), the money figures' two grouped queries
    with django_assert_num_queries(32) as small:
        html = client.get("/value-streams/payments/").content.decode()
    for n in range(6):
        more = TeamFactory(value_stream=value_stream, name=f"Team {n}")
        TeamSprintFactory(team=more, start=today - dt.timedelta(days=13), end=today, committed_size=4, done_size=n)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/value-streams/payments/")

    assert '<strong id="stream-velocity">5.0</strong>' in html
    assert 'id="team-predictability"' in html
    assert 'id="run-change"' not in html
