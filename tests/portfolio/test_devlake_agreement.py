"""Agreement with Apache DevLake on its own DORA fixture rows (tests/portfolio/fixtures/devlake).

Our ingestion and selectors run on the rows; a small independent re-implementation of
DevLake's queries (incident -> last production deployment finished before it was created;
CFR = deployments with an incident / deployments; FDRT = median(resolved - deployment
finished; deployments and deployment days) runs on the same rows in Python; the figures must be
equal, and the incident links must equal DevLake's expected output.
"""

import csv
import datetime as dt
import statistics
from pathlib import Path

import pytest

from portfolio.models import Deployment, Incident
from portfolio.selectors import delivery as sel
from portfolio.services.delivery import deployments_upsert, incidents_upsert
from tests.factories import QuarterFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "devlake"
PROJECT_SCOPES = {"cicd1", "cicd2"}  # project1's CI/CD scopes
PROJECT_ISSUE_SCOPES = {"repo1", "repo2", "board1"}  # project1's issue scopes


def rows(name: str) -> list[dict]:
    with (FIXTURES / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def when(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace(" ", "T"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def devlake_deployments() -> dict[str, dt.datetime]:
    """DevLake's production deployments: one per cicd_deployment_id, finished at the latest
    finish of its successful production commit rows."""
    found: dict[str, dt.datetime] = {}
    for row in rows("cicd_deployment_commits.csv"):
        if row["cicd_scope_id"] in PROJECT_SCOPES and row["result"] == "SUCCESS" and row["environment"] == "PRODUCTION":
            finished = when(row["finished_date"])
            found[row["cicd_deployment_id"]] = max(found.get(row["cicd_deployment_id"], finished), finished)
    return found


def devlake_incidents() -> list[dict]:
    return [row for row in rows("incidents.csv") if row["scope_id"] in PROJECT_ISSUE_SCOPES]


def devlake_link(deployments: dict[str, dt.datetime], created: dt.datetime) -> str | None:
    before = [(at, pk) for pk, at in deployments.items() if at <= created]
    return max(before)[1] if before else None


@pytest.fixture
def project1():
    vs = ValueStreamFactory(slug="project1")
    deployments_upsert(
        rows=[
            {
                "value_stream_id": vs.id,
                "source": "csv",
                "external_id": pk,
                "deployed_at": at,
                "environment": "production",
            }
            for pk, at in devlake_deployments().items()
        ]
    )
    incidents_upsert(
        rows=[
            {
                "value_stream_id": vs.id,
                "source": "csv",
                "external_id": row["id"],
                "opened_at": when(row["created_date"]),
                "resolved_at": when(row["updated_date"]),
            }
            for row in devlake_incidents()
        ]
    )
    return vs


def test_incidents_link_to_the_deployments_devlake_expects(project1):
    expected = {row["id"]: row["deployment_id"] for row in rows("project_incident_deployment_relationships.csv")}
    deployments = devlake_deployments()

    ours = dict(Incident.objects.values_list("external_id", "deployment__external_id"))
    reimplemented = {row["id"]: devlake_link(deployments, when(row["created_date"])) for row in devlake_incidents()}

    assert ours == expected
    assert reimplemented == expected
    assert set(Incident.objects.values_list("deployment_link", flat=True)) == {"last_before"}


def test_change_failure_rate_and_recovery_time_agree_with_devlake(project1):
    # The window: 1 September - 30 November 2022 (all the fixture's rows).
    quarter = QuarterFactory(start=dt.date(2022, 9, 1), end=dt.date(2022, 11, 30))
    window = sel.window_for(quarter=quarter, as_of=dt.date(2022, 11, 30))
    deployments = devlake_deployments()
    links = {row["id"]: devlake_link(deployments, when(row["created_date"])) for row in devlake_incidents()}

    # DevLake: deployments with >= 1 incident / deployments; median(resolved - deployment finished).
    failed = {pk for pk in links.values() if pk}
    cfr = len(failed) / len(deployments)
    recovery = statistics.median(
        (when(row["updated_date"]) - deployments[links[row["id"]]]).total_seconds() / 3600
        for row in devlake_incidents()
        if links[row["id"]]
    )

    figures = sel.delivery_figures(window=window, value_stream_ids=[project1.id])[project1.id]

    assert Deployment.objects.count() == len(deployments) == 5
    assert figures.change_failure_rate == round(cfr, 4) == 0.4
    assert figures.recovery_time_median_hours == pytest.approx(recovery)


def test_deployment_frequency_agrees_with_devlake(project1):
    # DevLake's deployment frequency counts successful production deployments (one per
    # cicd_deployment_id, on the day it finished) and the distinct days with one.
    quarter = QuarterFactory(start=dt.date(2022, 9, 1), end=dt.date(2022, 11, 30))
    window = sel.window_for(quarter=quarter, as_of=dt.date(2022, 11, 30))
    deployments = devlake_deployments()
    days = {at.date() for at in deployments.values()}
    weeks = 91 / 7  # 1 September - 30 November 2022

    figures = sel.delivery_figures(window=window, value_stream_ids=[project1.id])[project1.id]

    # pipeline1 (11 Sep), pipeline2 (14), pipeline4 (16), pipeline6 (20), pipeline7 (23): 5 on 5 days
    assert (len(deployments), len(days)) == (5, 5)
    assert figures.deployments_per_week == round(len(deployments) / weeks, 4) == 0.3846
    assert figures.deployment_days_per_week == round(len(days) / weeks, 4) == 0.3846
