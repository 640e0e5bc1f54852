"""Issue 18 point 1 as shown: the overview labels each stream with its delivery mode, the monthly
report groups streams by mode, and a project stream that does not deploy reads "not graded:
project mode, no deployments" instead of a DORA grade everywhere."""

import datetime as dt

import pytest

from tests.factories import ValueStreamFactory, ValueStreamSnapshotFactory
from vmo.selectors.report_summary import report_summary
from vmo.selectors.reports import monthly_report

pytestmark = pytest.mark.django_db

NOT_GRADED = "not graded: project mode, no deployments"


@pytest.fixture
def streams(quarter):
    project = ValueStreamFactory(name="Alpha", slug="alpha", delivery_mode="project")
    agile = ValueStreamFactory(name="Bravo", slug="bravo", delivery_mode="agile")
    continuous = ValueStreamFactory(name="Charlie", slug="charlie", delivery_mode="continuous")
    detail = {"levels": {}, "graded": 0, "no_data": {}, "not_graded": NOT_GRADED}
    ValueStreamSnapshotFactory(
        value_stream=project, quarter=quarter, as_of=dt.date(2026, 7, 20), dora_level="", dora_detail=detail
    )
    for vs in (agile, continuous):
        ValueStreamSnapshotFactory(
            value_stream=vs,
            quarter=quarter,
            as_of=dt.date(2026, 7, 20),
            dora_level="high",
            dora_detail={"levels": {"lead_time": "high"}, "graded": 1, "no_data": {}},
        )
    return project, agile, continuous


def test_the_monthly_report_groups_streams_by_mode_and_withholds_the_project_grade(streams):
    summary = report_summary(report=monthly_report(month=dt.date(2026, 7, 1)))

    assert [(row.name, row.mode_label, row.dora_label) for row in summary.streams] == [
        ("Alpha", "Project", NOT_GRADED),
        ("Bravo", "Agile", "High"),
        ("Charlie", "Continuous", "High"),
    ]
    # A withheld grade is not counted among the levels.
    assert summary.dora_levels == [("high", 2)]


def test_the_overview_labels_modes_and_says_not_graded(client, executive, streams):
    client.force_login(executive)

    html = client.get("/?quarter=2026-Q3").content.decode()

    assert 'data-mode="project">Project</small>' in html
    assert 'data-mode="continuous">Continuous</small>' in html
    assert f"<td>{NOT_GRADED}</td>" in html


def test_the_project_stream_page_says_not_graded_and_the_continuous_one_has_no_finish(
    client, executive, streams, quarter
):
    client.force_login(executive)

    project = client.get("/value-streams/alpha/?quarter=2026-Q3").content.decode()
    continuous = client.get("/value-streams/charlie/?quarter=2026-Q3").content.decode()

    assert f'<small id="dora-not-graded">{NOT_GRADED}</small>' in project
    assert 'id="forecast"' in project
    assert 'id="forecast"' not in continuous
    assert 'id="dora-level">High</span>' in continuous


def test_the_rollup_and_the_api_say_why_a_project_stream_is_not_graded(api_as, executive, quarter):
    from tests.factories import DeploymentFactory
    from vmo.models import ValueStreamSnapshot
    from vmo.services import rollups

    project = ValueStreamFactory(delivery_mode="project")
    DeploymentFactory(value_stream=project, deployed_at=dt.datetime(2026, 6, 10, 10, tzinfo=dt.UTC))

    rollups.rollup_value_streams(value_stream_ids=[project.id], quarter=quarter, as_of=dt.date(2026, 7, 28))

    snapshot = ValueStreamSnapshot.objects.get(value_stream=project)
    assert (snapshot.dora_level, snapshot.dora_not_graded, snapshot.dora_metrics_graded) == ("", NOT_GRADED, 0)
    row = api_as(executive).get(f"/api/snapshots/?value_stream={project.id}").json()
    row = row["results"][0] if isinstance(row, dict) and "results" in row else row[0]
    assert (row["dora_level"], row["dora_not_graded"]) == ("", NOT_GRADED)
