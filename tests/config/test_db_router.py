"""The replica router: read-only pages and API GETs read the `replica` alias, writes and the
session stay on the primary. The test's replica is a second database holding other rows, so
what a page shows says which database it read."""

import pytest
from django.db import router

from core.db_router import ReplicaRouter
from portfolio.models import Epic, ValueStream

pytestmark = pytest.mark.django_db(databases={"default", "replica"})


@pytest.fixture
def replica_router(monkeypatch):
    monkeypatch.setattr(router, "routers", [ReplicaRouter()])


@pytest.fixture
def two_databases(replica_router):
    primary = ValueStream.objects.using("default").create(name="Primary stream", slug="primary")
    replica = ValueStream.objects.using("replica").create(name="Replica stream", slug="replica")
    Epic.objects.using("default").create(key="PRI-1", title="On the primary", value_stream=primary)
    Epic.objects.using("replica").create(key="REP-1", title="On the replica", value_stream=replica)
    return primary, replica


@pytest.mark.parametrize("path", ["/kanban/", "/kanban/epics/REP-1/", "/okrs/"])
def test_read_only_pages_read_the_replica(client, executive, two_databases, path):
    client.force_login(executive)  # the session is written to and read from the primary

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Replica stream" in html
    assert "Primary stream" not in html


def test_api_gets_read_the_replica(api_as, executive, two_databases):
    rows = api_as(executive).get("/api/epics/").json()["results"]

    assert [row["key"] for row in rows] == ["REP-1"]


def test_writes_read_and_write_the_primary_and_the_replica_is_untouched(api_as, director, two_databases):
    epic = Epic.objects.using("default").get(key="PRI-1")  # not on the replica: a read there would 404

    response = api_as(director).patch(f"/api/epics/{epic.id}/", {"title": "Renamed"}, format="json")

    assert response.status_code == 200, response.json()
    assert Epic.objects.using("default").get(key="PRI-1").title == "Renamed"
    assert list(Epic.objects.using("replica").values_list("key", "title")) == [("REP-1", "On the replica")]


def test_outside_a_request_reads_use_the_primary(two_databases):
    assert list(Epic.objects.values_list("key", flat=True)) == ["PRI-1"]
