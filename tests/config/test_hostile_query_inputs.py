"""Regressions from the API fuzzer: query and body values that reached the database driver
and answered 500. Each is now a 400 or an ordinary answer."""

import pytest

from portfolio.models import WorkItem
from tests.factories import DeploymentFactory

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


@pytest.mark.parametrize(
    "path",
    [
        "/api/deployments/?deployed_after=2026-01-01T00:00:00%2B18:45",
        "/api/incidents/?opened_before=1259-09-17T04:59:55-19:30",
        "/api/work-items/?finished_after=2026-03-01T10:00:00%2B23:59",
    ],
)
def test_date_time_filters_with_offsets_postgresql_cannot_store_still_answer(api_as, executive, path):
    DeploymentFactory()

    response = api_as(executive).get(path)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/api/incidents/?deployment={HUGE}",
        f"/api/work-items/?epic={HUGE}",
        f"/api/snapshots/?value_stream={HUGE}",
        "/api/deployments/?value_stream=1.5",
    ],
)
def test_id_filters_beyond_an_id_are_a_400(api_as, executive, path):
    response = api_as(executive).get(path)

    assert response.status_code == 400


def test_a_quarter_filter_of_a_huge_number_matches_nothing(api_as, executive):
    response = api_as(executive).get(f"/api/snapshots/?quarter={HUGE}")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("code", ["%C2%B2", "2026-Q9", "V%C3%A6"])
def test_a_quarter_query_that_cannot_be_a_code_matches_no_snapshot(api_as, executive, code):
    # "²" passes str.isdigit() but not int(): it is taken as a code, which names nothing.
    response = api_as(executive).get(f"/api/snapshots/?quarter={code}")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_quarter_query_holding_nul_is_a_400_that_says_so(api_as, executive):
    response = api_as(executive).get("/api/snapshots/?quarter=2026-Q3%00")

    assert response.status_code == 400
    assert "Null characters are not allowed" in str(response.json())


def test_a_team_list_with_a_nul_in_its_quarter_falls_back_to_the_current_quarter(api_as, executive, quarter):
    from tests.factories import TeamFactory

    team = TeamFactory()

    response = api_as(executive).get("/api/teams/?quarter=V%C3%A6%00")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [team.id]


def test_bulk_work_items_with_an_epic_id_beyond_an_id_are_refused(api_as, vsm, value_stream):
    row = {
        "value_stream": value_stream.id,
        "source": "manual",
        "external_id": "X-1",
        "created_at": "2026-07-01T00:00:00Z",
        "epic": int(HUGE),
    }

    response = api_as(vsm).post("/api/work-items/", [row], format="json")

    assert response.status_code == 400
    assert WorkItem.objects.count() == 0


def test_scenario_compare_with_an_id_beyond_an_id_is_a_400(api_as, director):
    response = api_as(director).get(f"/api/scenarios/compare/?ids={HUGE}")

    assert response.status_code == 400
    assert "Unknown scenario id." in str(response.json()["ids"])
