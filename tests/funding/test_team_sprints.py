"""Team sprints recorded on the page and through /api/team-sprints/: managers of the team's value
stream and directors; cost defaults to the team's cost per sprint; work items named by id or
external id, checked as a set (every unknown name reported, nothing written)."""

import datetime as dt

import pytest

from funding.models import TeamSprint
from portfolio.models import Source
from tests.factories import TeamFactory, TeamSprintFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(value_stream):
    return TeamFactory(value_stream=value_stream, name="Rails", cost_per_sprint_cents=540_000_00)


@pytest.fixture
def items(value_stream):
    return [
        WorkItemFactory(value_stream=value_stream, external_id="PAY-1"),
        WorkItemFactory(value_stream=value_stream, external_id="PAY-2"),
    ]


SPRINT = {"team": None, "start": "2026-07-01", "end": "2026-07-14"}


def _sprint_rows():
    return [
        (s.team_id, s.start, s.end, s.cost_cents, sorted(s.work_items.values_list("id", flat=True)))
        for s in TeamSprint.objects.order_by("id")
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("vsm", 201), ("director", 201), ("other_vsm", 403), ("executive", 403), ("program_manager", 403)],
)
def test_who_records_a_sprint_through_the_api(request, api_as, team, items, persona, status):
    body = {**SPRINT, "team": team.id, "work_items": [items[0].id], "work_item_external_ids": ["PAY-2"]}

    response = api_as(request.getfixturevalue(persona)).post("/api/team-sprints/", body, format="json")

    assert response.status_code == status
    if status == 201:
        assert response.json()["cost"] == "540000.00"  # the team's cost per sprint
        assert response.json()["work_items"] == sorted([items[0].id, items[1].id])
        assert _sprint_rows() == [
            (team.id, dt.date(2026, 7, 1), dt.date(2026, 7, 14), 540_000_00, sorted(i.id for i in items))
        ]
    else:
        assert _sprint_rows() == []


def test_a_given_cost_is_kept(api_as, vsm, team):
    response = api_as(vsm).post("/api/team-sprints/", {**SPRINT, "team": team.id, "cost": "1250.50"}, format="json")
    assert response.status_code == 201
    assert TeamSprint.objects.get().cost_cents == 1_250_50


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"end": "2026-06-30"}, "end"),
        ({"cost": "-1.00"}, "cost"),
        ({"cost": "abc"}, "cost"),
        ({"work_items": [999_999]}, "work_items"),
        ({"work_items": ["x"]}, "work_items"),
        ({"work_item_external_ids": ["NOPE-1", "NOPE-2"]}, "work_items"),
        ({"work_item_external_ids": "PAY-1"}, "work_item_external_ids"),
        ({"start": "not a date"}, "start"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api_as, vsm, team, items, extra, field):
    response = api_as(vsm).post("/api/team-sprints/", {**SPRINT, "team": team.id, **extra}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert _sprint_rows() == []


def test_unknown_and_foreign_work_items_are_all_reported_at_once(api_as, vsm, team, items, other_value_stream):
    foreign = WorkItemFactory(value_stream=other_value_stream, external_id="ONB-1")
    body = {**SPRINT, "team": team.id, "work_items": [foreign.id], "work_item_external_ids": ["PAY-1", "ONB-1", "X"]}

    response = api_as(vsm).post("/api/team-sprints/", body, format="json")

    assert response.status_code == 400
    assert response.json()["work_items"] == [
        f"No work item of {team.value_stream.name} with id {foreign.id}.",
        f"No work item of {team.value_stream.name} with external id ONB-1, X.",
    ]
    assert _sprint_rows() == []


def test_an_external_id_of_two_sources_is_ambiguous(api_as, vsm, team, items, value_stream):
    WorkItemFactory(value_stream=value_stream, external_id="PAY-1", source=Source.JIRA)
    body = {**SPRINT, "team": team.id, "work_item_external_ids": ["PAY-1"]}

    response = api_as(vsm).post("/api/team-sprints/", body, format="json")

    assert response.status_code == 400
    assert "several sources" in response.json()["work_items"][0]
    assert _sprint_rows() == []


def test_a_second_sprint_starting_the_same_day_is_refused(api_as, vsm, team):
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14))
    response = api_as(vsm).post("/api/team-sprints/", {**SPRINT, "team": team.id}, format="json")
    assert response.status_code == 400
    assert TeamSprint.objects.count() == 1


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_for_any_number_of_sprints(
    api_as, executive, team, items, count, django_assert_num_queries
):
    for n in range(count):
        TeamSprintFactory(team=team, start=dt.date(2026, 1, 1) + dt.timedelta(days=14 * n), items=items)
    client = api_as(executive)
    with django_assert_num_queries(4):  # the ?team= filter, count, page with team, work items
        rows = client.get(f"/api/team-sprints/?team={team.id}").json()["results"]
    assert len(rows) == count
    assert rows[0]["work_items"] == sorted(i.id for i in items)


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 302), ("director", 302), ("other_vsm", 403), ("executive", 403)]
)
def test_who_records_a_sprint_on_the_page(request, client, team, items, persona, status):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        f"/funding/teams/{team.id}/sprints/",
        {"start": "2026-07-01", "end": "2026-07-14", "cost_cents": "", "work_items": f"PAY-2, #{items[0].id}"},
    )

    assert response.status_code == status
    expected = [(team.id, dt.date(2026, 7, 1), dt.date(2026, 7, 14), 540_000_00, sorted(i.id for i in items))]
    assert _sprint_rows() == (expected if status == 302 else [])


def test_page_lists_sprints_and_shows_errors_with_a_400(client, vsm, executive, team, items):
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14), items=[items[0]])
    client.force_login(vsm)

    bad = client.post(
        f"/funding/teams/{team.id}/sprints/", {"start": "2026-07-15", "end": "2026-07-28", "work_items": "#x NOPE"}
    )
    assert bad.status_code == 400
    assert "#x is not a work item id." in bad.content.decode()
    unknown = client.post(
        f"/funding/teams/{team.id}/sprints/", {"start": "2026-07-15", "end": "2026-07-28", "work_items": "NOPE"}
    )
    assert unknown.status_code == 400
    assert "with external id NOPE." in unknown.content.decode()
    assert TeamSprint.objects.count() == 1

    client.force_login(executive)
    html = client.get(f"/funding/teams/{team.id}/sprints/").content.decode()
    assert "<td>2026-07-01</td><td>2026-07-14</td>" in html
    assert "PAY-1" in html
    assert 'id="team-sprint-form"' not in html
