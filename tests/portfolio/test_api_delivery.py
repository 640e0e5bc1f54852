"""Bulk ingestion of delivery data: validation, all or nothing, idempotence, permissions."""

import pytest

from portfolio.models import Deployment, Incident, RollupDue, WorkItem, WorkItemStatusChange
from tests.factories import DeploymentFactory, EpicFactory, MMPFactory, ValueStreamFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def item(vs, n=1, **extra):
    return {
        "value_stream": vs.id,
        "source": "jira",
        "external_id": f"PAY-{n}",
        "title": f"Item {n}",
        "item_type": "feature",
        "size": 3,
        "status": "active",
        "created_at": "2026-07-01T09:00:00Z",
        "started_at": "2026-07-02T09:00:00Z",
        **extra,
    }


def test_vsm_posts_one_work_item_and_gets_it_back(api_as, vsm, value_stream):
    response = api_as(vsm).post("/api/work-items/", item(value_stream), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["value_stream"], body["source"], body["external_id"], body["status"]) == (
        value_stream.id,
        "jira",
        "PAY-1",
        "active",
    )
    assert body["started_at"] == "2026-07-02T09:00:00Z"
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_a_bulk_post_of_1000_rows_is_written_and_replaying_it_changes_nothing(api_as, vsm, value_stream):
    rows = [item(value_stream, n) for n in range(1000)]
    client = api_as(vsm)

    first = client.post("/api/work-items/", rows, format="json")
    stamps = dict(WorkItem.objects.values_list("external_id", "ingested_at"))
    replay = client.post("/api/work-items/", rows, format="json")

    assert first.status_code == 200, first.json()
    assert {k: first.json()[k] for k in ("created", "updated", "unchanged")} == {
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
    }
    assert len(first.json()["ids"]) == 1000
    assert {k: replay.json()[k] for k in ("created", "updated", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "unchanged": 1000,
    }
    assert WorkItem.objects.count() == 1000
    assert dict(WorkItem.objects.values_list("external_id", "ingested_at")) == stamps
    assert WorkItemStatusChange.objects.count() == 1000


def test_more_than_1000_rows_are_refused(api_as, vsm, value_stream):
    rows = [item(value_stream, n) for n in range(1001)]

    response = api_as(vsm).post("/api/work-items/", rows, format="json")

    assert response.status_code == 400
    assert WorkItem.objects.count() == 0


def test_one_bad_row_rejects_the_whole_batch_with_per_row_errors(api_as, vsm, value_stream):
    rows = [item(value_stream, 1), item(value_stream, 2, item_type="story"), item(value_stream, 3, status="done")]

    response = api_as(vsm).post("/api/work-items/", rows, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "2 of 3 rows are invalid; nothing was written."
    assert [row["index"] for row in body["rows"]] == [1, 2]
    assert "item_type" in body["rows"][0]["errors"]
    assert body["rows"][1]["errors"]["finished_at"] == ["A done item needs finished_at."]
    assert WorkItem.objects.count() == 0


def test_references_are_checked_set_based_and_must_stay_in_the_value_stream(api_as, director, value_stream):
    foreign_epic = EpicFactory(value_stream=ValueStreamFactory())
    own_epic = EpicFactory(value_stream=value_stream)
    mmp = MMPFactory(epic=own_epic)
    rows = [
        item(value_stream, 1, epic=own_epic.id, mmp=mmp.id),
        item(value_stream, 2, epic=foreign_epic.id),
        item(value_stream, 3, value_stream=999_999),
        item(value_stream, 1),
    ]

    response = api_as(director).post("/api/work-items/", rows, format="json")

    assert response.status_code == 400
    errors = {row["index"]: row["errors"] for row in response.json()["rows"]}
    assert errors[1] == {"epic": [f"No epic {foreign_epic.id} in value stream {value_stream.id}."]}
    assert errors[2]["value_stream"] == ["No value stream 999999."]
    assert errors[3] == {"external_id": ["Repeats row 0 of this batch."]}
    assert WorkItem.objects.count() == 0


def test_an_mmp_alone_links_its_epic(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)
    mmp = MMPFactory(epic=epic)

    response = api_as(vsm).post("/api/work-items/", item(value_stream, mmp=mmp.id), format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["epic"], response.json()["mmp"]) == (epic.id, mmp.id)


def test_a_status_change_accumulates_active_and_waiting_time(api_as, vsm, value_stream):
    client = api_as(vsm)
    client.post("/api/work-items/", item(value_stream), format="json")

    client.post(
        "/api/work-items/",
        item(value_stream, status="waiting", status_changed_at="2026-07-02T13:00:00Z"),
        format="json",
    )
    client.post(
        "/api/work-items/",
        item(value_stream, status="done", finished_at="2026-07-03T13:00:00Z", status_changed_at="2026-07-03T13:00:00Z"),
        format="json",
    )

    stored = WorkItem.objects.get()
    assert (stored.active_seconds, stored.waiting_seconds) == (4 * 3600, 24 * 3600)
    assert stored.status == "done"
    assert list(WorkItemStatusChange.objects.values_list("from_status", "to_status")) == [
        ("", "active"),
        ("active", "waiting"),
        ("waiting", "done"),
    ]


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_write_into_a_value_stream_and_nothing_changes(api_as, request, persona, value_stream):
    user = request.getfixturevalue(persona)

    response = api_as(user).post("/api/work-items/", [item(value_stream)], format="json")

    assert response.status_code == 403
    assert WorkItem.objects.count() == 0
    assert RollupDue.objects.count() == 0


def test_a_bulk_request_is_checked_row_by_row_for_permission(api_as, vsm, value_stream, other_value_stream):
    rows = [item(value_stream, 1), item(other_value_stream, 2)]

    response = api_as(vsm).post("/api/work-items/", rows, format="json")

    assert response.status_code == 403
    assert WorkItem.objects.count() == 0


def test_a_vsm_cannot_take_over_another_streams_row_by_its_external_id(api_as, vsm, value_stream, other_value_stream):
    WorkItemFactory(value_stream=other_value_stream, source="jira", external_id="PAY-1", title="Theirs")

    response = api_as(vsm).post("/api/work-items/", item(value_stream, 1), format="json")

    assert response.status_code == 403
    stored = WorkItem.objects.get()
    assert (stored.value_stream_id, stored.title) == (other_value_stream.id, "Theirs")


def test_anonymous_cannot_post(api_client, value_stream):
    assert api_client.post("/api/work-items/", item(value_stream), format="json").status_code == 401


def test_director_posts_deployments_and_incidents_idempotently(api_as, director, value_stream):
    client = api_as(director)
    deploys = [
        {
            "value_stream": value_stream.id,
            "source": "github",
            "external_id": f"d{n}",
            "deployed_at": f"2026-07-0{n}T10:00:00Z",
            "first_commit_at": f"2026-07-0{n}T08:00:00Z",
        }
        for n in range(1, 4)
    ]
    first = client.post("/api/deployments/", deploys, format="json")
    again = client.post("/api/deployments/", deploys, format="json")
    deployment = Deployment.objects.get(external_id="d1")
    incident = {
        "value_stream": value_stream.id,
        "source": "manual",
        "external_id": "INC-1",
        "opened_at": "2026-07-01T11:00:00Z",
        "resolved_at": "2026-07-01T12:00:00Z",
        "deployment": deployment.id,
    }
    created = client.post("/api/incidents/", incident, format="json")
    replay = client.post("/api/incidents/", incident, format="json")

    assert (first.json()["created"], again.json()["unchanged"]) == (3, 3)
    assert (deployment.environment, deployment.succeeded) == ("production", True)
    assert (created.status_code, replay.status_code) == (201, 200)
    assert Incident.objects.get().deployment_id == deployment.id


def test_an_incident_cannot_link_another_streams_deployment(api_as, vsm, value_stream, other_value_stream):
    theirs = DeploymentFactory(value_stream=other_value_stream)
    incident = {
        "value_stream": value_stream.id,
        "source": "manual",
        "external_id": "INC-1",
        "opened_at": "2026-07-01T11:00:00Z",
        "deployment": theirs.id,
    }

    response = api_as(vsm).post("/api/incidents/", incident, format="json")

    assert response.status_code == 400
    assert response.json() == {"deployment": [f"No deployment {theirs.id} in value stream {value_stream.id}."]}
    assert Incident.objects.count() == 0


def test_a_deployment_before_its_first_commit_is_refused(api_as, vsm, value_stream):
    row = {
        "value_stream": value_stream.id,
        "source": "github",
        "external_id": "d1",
        "deployed_at": "2026-07-01T08:00:00Z",
        "first_commit_at": "2026-07-01T10:00:00Z",
    }

    response = api_as(vsm).post("/api/deployments/", row, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["first_commit_at"]


@pytest.mark.parametrize("payload", ["nonsense", 42, [], {"value_stream": "x"}])
def test_garbage_input_gets_400_not_500(api_as, vsm, value_stream, payload):
    response = api_as(vsm).post("/api/work-items/", payload, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("endpoint", ["work-items", "deployments", "incidents"])
def test_delivery_lists_run_a_constant_number_of_queries(api_as, executive, endpoint, django_assert_num_queries):
    client = api_as(executive)
    vs = ValueStreamFactory()
    factory = {"work-items": WorkItemFactory, "deployments": DeploymentFactory, "incidents": None}[endpoint]

    def add(n):
        for _ in range(n):
            if factory is None:
                Incident.objects.create(
                    value_stream=vs,
                    source="manual",
                    external_id=f"i{Incident.objects.count()}",
                    opened_at="2026-07-01T00:00:00Z",
                )
            else:
                factory(value_stream=vs)

    add(2)
    with django_assert_num_queries(2):
        client.get(f"/api/{endpoint}/")
    add(30)
    with django_assert_num_queries(2):
        client.get(f"/api/{endpoint}/?value_stream={vs.id}")


def test_work_items_filter_by_status_and_value_stream(api_as, executive, value_stream, other_value_stream):
    WorkItemFactory(value_stream=value_stream, status="done", external_id="a")
    WorkItemFactory(value_stream=value_stream, status="active", external_id="b")
    WorkItemFactory(value_stream=other_value_stream, status="done", external_id="c")

    rows = api_as(executive).get(f"/api/work-items/?status=done&value_stream={value_stream.id}").json()["results"]

    assert [row["external_id"] for row in rows] == ["a"]


def test_schema_lists_the_delivery_endpoints(api_as, executive):
    paths = api_as(executive).get("/api/schema/?format=json").json()["paths"]

    for path in ("/api/work-items/", "/api/deployments/", "/api/incidents/"):
        assert "post" in paths[path]
