"""DORA figures as shown: the rollup stores levels and reasons, the API answers null with the
reason, the pages say "no data: <reason>" and link each label to /metrics/."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.metrics import CATALOGUE
from tests.factories import DeploymentFactory, QuarterFactory, ValueStreamFactory, ValueStreamSnapshotFactory
from vmo.models import ValueStreamSnapshot
from vmo.services import rollups

pytestmark = pytest.mark.django_db


@pytest.fixture
def q3():
    return QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))


def test_the_rollup_stores_per_metric_levels_graded_count_and_reasons(q3):
    vs = ValueStreamFactory()
    for day in range(1, 29):
        DeploymentFactory(
            value_stream=vs,
            deployed_at=dt.datetime(2026, 7, day, 10, tzinfo=dt.UTC),
            first_commit_at=dt.datetime(2026, 7, day, 9, tzinfo=dt.UTC),
        )

    rollups.rollup_value_streams(value_stream_ids=[vs.id], quarter=q3, as_of=dt.date(2026, 7, 28))

    snap = ValueStreamSnapshot.objects.get()
    assert snap.deployments_per_week == 7.0
    assert snap.deployment_days_per_week == 7.0
    assert snap.change_failure_rate is None
    assert snap.dora_level == "elite"
    assert snap.dora_detail == {
        "levels": {"deployment_frequency": "elite", "lead_time": "elite"},
        "graded": 2,
        "no_data": {
            "change_failure_rate": "no incident source connected",
            "recovery_time": "no incident source connected",
            "time_to_restore": "no incident source connected",
        },
    }


def test_the_api_answers_null_with_the_reason_and_per_metric_levels(api_as, executive, q3):
    vs = ValueStreamFactory()
    ValueStreamSnapshotFactory(
        value_stream=vs,
        quarter=q3,
        as_of=dt.date(2026, 7, 28),
        deployments_per_week=2.0,
        deployment_days_per_week=1.5,
        lead_time_median_hours=None,
        change_failure_rate=None,
        dora_level="high",
        dora_detail={
            "levels": {"deployment_frequency": "high"},
            "graded": 1,
            "no_data": {"lead_time": "no commit times for the deployments in the window"},
        },
    )

    row = api_as(executive).get("/api/snapshots/").json()["results"][0]

    assert row["deployments_per_week"] == 2.0
    assert row["deployment_days_per_week"] == 1.5
    assert row["lead_time_median_hours"] is None
    assert row["change_failure_rate"] is None
    assert row["dora_metrics_graded"] == 1
    assert row["dora_levels"] == {
        "deployment_frequency": "high",
        "lead_time": None,
        "change_failure_rate": None,
        "recovery_time": None,
    }
    assert row["deployment_frequency_level"] == "high"
    assert row["lead_time_level"] is None
    assert row["dora_no_data"] == {"lead_time": "no commit times for the deployments in the window"}


def test_the_value_stream_page_says_no_data_with_the_reason_and_links_definitions(client, executive):
    today = timezone.localdate()
    q = (today.month - 1) // 3
    start = dt.date(today.year, 3 * q + 1, 1)
    end = dt.date(today.year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
    quarter = QuarterFactory(start=start, end=end, status="active")
    vs = ValueStreamFactory(slug="payments")
    ValueStreamSnapshotFactory(
        value_stream=vs,
        quarter=quarter,
        as_of=today,
        deployments_per_week=7.0,
        deployment_days_per_week=5.0,
        dora_level="elite",
        dora_detail={
            "levels": {"deployment_frequency": "elite"},
            "graded": 1,
            "no_data": {"change_failure_rate": "no incident source connected"},
        },
    )
    client.force_login(executive)

    html = client.get("/value-streams/payments/").content.decode()

    assert "1 of 4 metrics" in html
    assert "no data: no incident source connected</span>" in html
    assert 'href="/metrics/#change_failure_rate"' in html
    assert 'href="/metrics/#flow_time"' in html


def test_the_metrics_page_lists_every_definition_and_needs_a_login(client, executive):
    assert client.get("/metrics/").status_code == 302

    client.force_login(executive)
    html = client.get("/metrics/").content.decode()

    for metric in CATALOGUE:
        assert f'id="{metric.key}"' in html
    assert "Differences from Apache DevLake" in html
    assert "no incident source connected" in html


def current_quarter():
    today = timezone.localdate()
    q = (today.month - 1) // 3
    start = dt.date(today.year, 3 * q + 1, 1)
    end = dt.date(today.year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
    return QuarterFactory(start=start, end=end, status="active")


def test_the_overview_links_figure_headers_to_their_definitions_and_says_how_many_metrics(client, executive):
    quarter = current_quarter()
    vs = ValueStreamFactory(name="Payments")
    ValueStreamSnapshotFactory(
        value_stream=vs,
        quarter=quarter,
        as_of=timezone.localdate(),
        dora_level="high",
        dora_detail={"levels": {"deployment_frequency": "high", "lead_time": "high"}, "graded": 2, "no_data": {}},
    )
    client.force_login(executive)

    html = client.get("/").content.decode()

    assert 'href="/metrics/#dora_level"' in html
    assert 'href="/metrics/#flow_velocity"' in html
    assert "High (2 of 4 metrics)" in html
