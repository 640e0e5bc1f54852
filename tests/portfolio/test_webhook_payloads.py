"""Providers' example payloads (tests/portfolio/fixtures/webhooks/), signed as each provider
signs, and the rows each writes."""

import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from portfolio.models import Commit, Deployment, Incident, SourceRule, StatusMapping, WorkItem
from portfolio.selectors import delivery as sel
from tests.factories import EpicFactory, QuarterFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
SECRETS = {"github": "gh-secret", "gitlab": "gl-token", "jira": "jira-secret", "pagerduty": "pd-secret"}
UTC = dt.UTC


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.WEBHOOK_SECRETS = SECRETS


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def hmac_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def post_github(client, name, event, delivery):
    data = body(name)
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": "sha256=" + hmac_hex(SECRETS["github"], data),
    }
    return client.post("/api/webhooks/github/", data, content_type="application/json", headers=headers)


def post_pagerduty(client, name, secret=SECRETS["pagerduty"]):
    data = body(name)
    headers = {"X-PagerDuty-Signature": f"v1=deadbeef,v1={hmac_hex(secret, data)}"}
    return client.post("/api/webhooks/pagerduty/", data, content_type="application/json", headers=headers)


@pytest.fixture
def hello_world():
    vs = ValueStreamFactory(slug="hello")
    # The rule is written in lower case; GitHub sends "Codertocat/Hello-World".
    SourceRule.objects.create(source="github", pattern="codertocat/hello-world", value_stream=vs)
    return vs


def test_github_issue_deleted_is_canceled_not_delivered(client, hello_world):
    response = post_github(client, "github_issues_deleted.json", "issues", "gh-del-1")

    assert response.json()["status"] == "processed"
    item = WorkItem.objects.get()
    assert (item.value_stream, item.external_id, item.status, item.finished_at) == (
        hello_world,
        "codertocat/hello-world#1",
        "canceled",
        None,
    )


def test_github_push_then_deployment_gives_a_lead_time_without_a_csv(client, hello_world):
    assert post_github(client, "github_push.json", "push", "gh-push-1").json()["commits"] == 2
    assert (
        post_github(client, "github_deployment_status.json", "deployment_status", "gh-dep-1").json()["deployments"] == 1
    )

    commits = list(Commit.objects.order_by("authored_at").values_list("sha", "repository", "authored_at", "pushed_at"))
    pushed = dt.datetime.fromtimestamp(1557933657, tz=UTC)  # repository.pushed_at, 15:20:57 UTC
    assert commits == [
        (
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
            "codertocat/hello-world",
            dt.datetime(2019, 5, 15, 15, 11, 50, tzinfo=UTC),
            pushed,
        ),
        (
            "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            "codertocat/hello-world",
            dt.datetime(2019, 5, 15, 15, 15, 13, tzinfo=UTC),
            pushed,
        ),
    ]
    deployment = Deployment.objects.get()
    assert (deployment.repository, deployment.environment, deployment.deployed_at) == (
        "codertocat/hello-world",
        "production",
        dt.datetime(2019, 5, 15, 18, 20, tzinfo=UTC),
    )
    quarter = QuarterFactory(start=dt.date(2019, 4, 1), end=dt.date(2019, 6, 30))
    window = sel.window_for(quarter=quarter, as_of=dt.date(2019, 5, 31))
    # First commit 15:11:50 -> deployed 18:20:00 = 3 h 08 min 10 s.
    assert sel.lead_time_hours(window=window) == {hello_world.id: pytest.approx((3 * 3600 + 8 * 60 + 10) / 3600)}


def test_pagerduty_incident_links_to_the_last_production_deployment_before_it(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="pagerduty", pattern="PF9KMXH", value_stream=vs)
    before = Deployment.objects.create(
        value_stream=vs, source="manual", external_id="d1", deployed_at=dt.datetime(2020, 10, 2, 17, tzinfo=UTC)
    )
    Deployment.objects.create(  # staging does not cause production incidents
        value_stream=vs,
        source="manual",
        external_id="d2",
        environment="staging",
        deployed_at=dt.datetime(2020, 10, 2, 18, tzinfo=UTC),
    )
    Deployment.objects.create(  # after it opened
        value_stream=vs, source="manual", external_id="d3", deployed_at=dt.datetime(2020, 10, 2, 19, tzinfo=UTC)
    )

    triggered = post_pagerduty(client, "pagerduty_incident_triggered.json")
    resolved = post_pagerduty(client, "pagerduty_incident_resolved.json")

    assert triggered.json()["incidents"] == 1
    assert resolved.json()["incidents"] == 1
    incident = Incident.objects.get()
    assert (incident.source, incident.external_id, incident.value_stream) == ("pagerduty", "PGR0VU2", vs)
    assert incident.opened_at == dt.datetime(2020, 10, 2, 18, 45, 22, tzinfo=UTC)
    assert incident.resolved_at == dt.datetime(2020, 10, 2, 20, 15, 22, 169000, tzinfo=UTC)
    assert (incident.deployment, incident.deployment_link) == (before, "last_before")


@pytest.mark.parametrize(("secret", "code"), [("wrong", 403), (None, 401)])
def test_pagerduty_signature_is_verified(client, secret, code):
    data = body("pagerduty_incident_triggered.json")
    headers = {"X-PagerDuty-Signature": f"v1={hmac_hex(secret, data)}"} if secret else {}

    response = client.post("/api/webhooks/pagerduty/", data, content_type="application/json", headers=headers)

    assert response.status_code == code
    assert Incident.objects.count() == 0


def test_gitlab_deployment_to_production_eu_with_tier_production_is_production(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="gitlab", pattern="Root/Test-Deployment-Webhooks", value_stream=vs)
    data = body("gitlab_deployment.json")

    response = client.post(
        "/api/webhooks/gitlab/",
        data,
        content_type="application/json",
        headers={"X-Gitlab-Token": SECRETS["gitlab"], "X-Gitlab-Event": "Deployment Hook"},
    )

    assert response.json()["deployments"] == 1
    deployment = Deployment.objects.get()
    assert (deployment.external_id, deployment.environment, deployment.deployed_at, deployment.value_stream) == (
        "root/test-deployment-webhooks:15",
        "production",
        dt.datetime(2021, 4, 28, 19, 50, tzinfo=UTC),
        vs,
    )


def test_jira_paused_maps_to_waiting_and_the_epic_links_by_key(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="jira", pattern="jra", value_stream=vs)
    StatusMapping.objects.create(source="jira", tool_status="paused", flow_status="waiting")
    epic = EpicFactory(value_stream=vs, key="JRA-20000")
    data = body("jira_issue_updated.json")

    response = client.post(
        "/api/webhooks/jira/",
        data,
        content_type="application/json",
        headers={"X-Hub-Signature": "sha256=" + hmac_hex(SECRETS["jira"], data)},
    )

    assert response.json()["status"] == "processed"
    item = WorkItem.objects.get()
    assert (item.external_id, item.status, item.epic, item.value_stream) == ("JRA-20002", "waiting", epic, vs)
    # First seen already in progress: started when first seen (the change's time).
    assert item.started_at == dt.datetime(2018, 5, 7, 13, 3, 57, tzinfo=UTC)


def test_jira_status_category_is_the_default_map(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="jira", pattern="JRA", value_stream=vs)
    payload = json.loads(body("jira_issue_updated.json"))
    payload["issue"]["fields"]["parent"] = None
    data = json.dumps(payload).encode()

    client.post(
        "/api/webhooks/jira/",
        data,
        content_type="application/json",
        headers={"X-Hub-Signature": "sha256=" + hmac_hex(SECRETS["jira"], data)},
    )

    item = WorkItem.objects.get()
    assert (item.status, item.epic) == ("active", None)  # indeterminate -> active


def test_directors_see_parked_deliveries_and_adding_a_rule_replays_them(client, director, executive):
    post_github(client, "github_issues_deleted.json", "issues", "gh-parked-1")
    vs = ValueStreamFactory()

    client.force_login(executive)
    assert client.get("/delivery/parked/").status_code == 403
    client.force_login(director)
    page = client.get("/delivery/parked/").content.decode()
    assert "codertocat/hello-world" in page and "issues" in page

    response = client.post(
        "/delivery/parked/", {"source": "github", "pattern": "Codertocat/Hello-World", "value_stream": vs.id}
    )

    assert response.status_code == 302
    assert WorkItem.objects.get().value_stream == vs
    assert "Nothing is parked." in client.get("/delivery/parked/").content.decode()
