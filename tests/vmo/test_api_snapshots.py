"""`/api/snapshots/`: latest per value stream by default, filters, read-only, schema, queries."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.models import RollupDue
from tests.factories import ValueStreamFactory, ValueStreamSnapshotFactory
from vmo.models import ValueStreamSnapshot

pytestmark = pytest.mark.django_db


def test_snapshots_list_the_latest_per_value_stream_with_contract_fields(api_as, executive, quarters):
    q2, q3 = quarters
    vs = ValueStreamFactory(name="Payments")
    ValueStreamSnapshotFactory(value_stream=vs, quarter=q3, as_of=dt.date(2026, 7, 1), flow_velocity=1)
    ValueStreamSnapshotFactory(
        value_stream=vs,
        quarter=q3,
        as_of=dt.date(2026, 7, 2),
        flow_velocity=2,
        allocated_cents=123456,
        flow_distribution={"feature": 1.0},
        dora_level="high",
    )
    ValueStreamSnapshotFactory(value_stream=vs, quarter=q2, as_of=dt.date(2026, 6, 30), flow_velocity=9)

    rows = api_as(executive).get("/api/snapshots/").json()["results"]

    assert len(rows) == 1
    row = rows[0]
    assert (row["value_stream"], row["quarter"], row["quarter_code"], row["as_of"]) == (
        vs.id,
        q3.id,
        "2026-Q3",
        "2026-07-02",
    )
    assert row["flow_velocity"] == 2
    assert row["allocated"] == "1234.56"
    assert row["flow_distribution"] == {"feature": 1.0}
    assert row["dora_level"] == "high"
    for name in (
        "computed_at",
        "delivery_progress",
        "flow_time_median_days",
        "flow_time_p85_days",
        "flow_load",
        "flow_efficiency",
        "deployments_per_week",
        "lead_time_median_hours",
        "change_failure_rate",
        "recovery_time_median_hours",
        "spent",
        "forecast",
        "okr_score",
    ):
        assert name in row


def test_snapshots_filter_by_quarter_code_and_value_stream(api_as, executive, quarters):
    q2, q3 = quarters
    a, b = ValueStreamFactory(), ValueStreamFactory()
    ValueStreamSnapshotFactory(value_stream=a, quarter=q2, as_of=dt.date(2026, 6, 30), flow_velocity=5)
    ValueStreamSnapshotFactory(value_stream=a, quarter=q3, as_of=dt.date(2026, 7, 2), flow_velocity=6)
    ValueStreamSnapshotFactory(value_stream=b, quarter=q3, as_of=dt.date(2026, 7, 2), flow_velocity=7)
    client = api_as(executive)

    in_q2 = client.get("/api/snapshots/?quarter=2026-Q2").json()["results"]
    only_b = client.get(f"/api/snapshots/?value_stream={b.id}").json()["results"]
    history = client.get(f"/api/snapshots/?value_stream={a.id}&history=true").json()["results"]
    unknown = client.get("/api/snapshots/?quarter=1999-Q1").json()["results"]

    assert [(r["value_stream"], r["flow_velocity"]) for r in in_q2] == [(a.id, 5)]
    assert [r["flow_velocity"] for r in only_b] == [7]
    assert [r["flow_velocity"] for r in history] == [6, 5]
    assert unknown == []


@pytest.mark.parametrize("persona", ["director", "vsm", "executive"])
def test_snapshots_are_read_only_for_everyone(api_as, request, persona, quarters):
    snapshot = ValueStreamSnapshotFactory(quarter=quarters[1], flow_velocity=3)
    client = api_as(request.getfixturevalue(persona))

    created = client.post("/api/snapshots/", {"value_stream": snapshot.value_stream_id}, format="json")
    changed = client.patch(f"/api/snapshots/{snapshot.id}/", {"flow_velocity": 99}, format="json")

    assert (created.status_code, changed.status_code) == (405, 405)
    assert ValueStreamSnapshot.objects.get().flow_velocity == 3


def test_snapshots_need_credentials(api_client):
    assert api_client.get("/api/snapshots/").status_code == 401


def test_snapshot_list_runs_a_constant_number_of_queries(api_as, executive, quarters, django_assert_num_queries):
    client = api_as(executive)
    for _ in range(2):
        ValueStreamSnapshotFactory(quarter=quarters[1])
    with django_assert_num_queries(2):  # count, page (quarter joined)
        client.get("/api/snapshots/")
    for _ in range(30):
        ValueStreamSnapshotFactory(quarter=quarters[1])
    with django_assert_num_queries(2):
        client.get("/api/snapshots/")


def test_schema_lists_snapshots(api_as, executive):
    paths = api_as(executive).get("/api/schema/?format=json").json()["paths"]

    assert "/api/snapshots/" in paths
    names = [p["name"] for p in paths["/api/snapshots/"]["get"]["parameters"]]
    assert {"quarter", "value_stream", "history"} <= set(names)


def test_banner_says_background_updates_are_delayed_when_the_outbox_is_old(client, executive):
    vs = ValueStreamFactory()
    due = RollupDue.objects.create(value_stream=vs)
    client.force_login(executive)

    page = client.get("/value-streams/").content.decode()
    fresh = client.get("/background-status/", headers={"HX-Request": "true"}).content.decode()
    RollupDue.objects.filter(id=due.id).update(due_since=timezone.now() - dt.timedelta(minutes=10))
    stale = client.get("/background-status/", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-get="/background-status/" hx-trigger="load"' in page
    assert 'id="background-delayed"' not in fresh
    assert 'id="background-delayed"' in stale


def test_the_banner_check_is_one_query(client, executive, django_assert_num_queries):
    client.force_login(executive)
    client.get("/background-status/")

    with django_assert_num_queries(3):  # session, user, the outbox
        client.get("/background-status/")
