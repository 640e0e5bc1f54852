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


# --- the remaining documented events (issue 11, points 4 and 10) --------------------------------


def post_gitlab(client, name, event):
    return client.post(
        "/api/webhooks/gitlab/",
        body(name),
        content_type="application/json",
        headers={"X-Gitlab-Token": SECRETS["gitlab"], "X-Gitlab-Event": event},
    )


def _item():
    return WorkItem.objects.values_list(
        "external_id", "status", "item_type", "created_at", "started_at", "finished_at"
    ).get()


def test_github_issue_opened_is_new_work_and_no_incident(client, hello_world):
    response = post_github(client, "github_issues_opened.json", "issues", "gh-open-1")

    assert response.json()["status"] == "processed"
    # label "bug" makes it a defect; an open issue has not started
    assert _item() == (
        "codertocat/hello-world#1",
        "new",
        "defect",
        dt.datetime(2019, 5, 15, 15, 20, 18, tzinfo=UTC),
        None,
        None,
    )
    assert Incident.objects.count() == 0


def test_github_issue_labeled_with_the_incident_label_opens_an_incident(client, hello_world, settings):
    # the incident label is configurable; this installation calls its incidents "bug"
    settings.WEBHOOK_INCIDENT_LABEL = "Bug"

    response = post_github(client, "github_issues_labeled.json", "issues", "gh-label-1")

    assert response.json()["incidents"] == 1
    incident = Incident.objects.get()
    assert (incident.value_stream, incident.external_id, incident.opened_at, incident.resolved_at) == (
        hello_world,
        "codertocat/hello-world#1",
        dt.datetime(2019, 5, 15, 15, 20, 18, tzinfo=UTC),
        None,
    )


def test_github_issue_closed_is_done_at_its_close(client, hello_world):
    post_github(client, "github_issues_closed.json", "issues", "gh-close-1")

    assert _item() == (
        "codertocat/hello-world#1",
        "done",
        "defect",
        dt.datetime(2021, 7, 5, 18, 5, 24, tzinfo=UTC),
        None,
        dt.datetime(2021, 7, 5, 18, 7, 10, tzinfo=UTC),
    )


def test_github_pull_request_closed_without_merge_is_canceled(client, hello_world):
    post_github(client, "github_pull_request_closed.json", "pull_request", "gh-pr-1")

    external_id, status, *_ = _item()
    assert (external_id, status) == ("codertocat/hello-world!2", "canceled")


def test_github_pull_request_merged_is_done_at_its_merge(client, hello_world):
    post_github(client, "github_pull_request_merged.json", "pull_request", "gh-pr-2")

    assert _item() == (
        "codertocat/hello-world!2",
        "done",
        "defect",
        dt.datetime(2019, 5, 15, 15, 20, 33, tzinfo=UTC),
        None,
        dt.datetime(2019, 5, 15, 15, 21, 18, tzinfo=UTC),
    )


def test_github_workflow_run_records_its_head_commit(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="github", pattern="octo-org/octo-repo", value_stream=vs)

    response = post_github(client, "github_workflow_run.json", "workflow_run", "gh-run-1")

    assert response.json()["commits"] == 1
    assert list(Commit.objects.values_list("value_stream", "repository", "sha", "authored_at", "pushed_at")) == [
        (
            vs.id,
            "octo-org/octo-repo",
            "3484a3fb816e0859fd6e1cea078d76385ff50625",
            dt.datetime(2020, 10, 5, 16, 32, 7, tzinfo=UTC),
            dt.datetime(2020, 10, 5, 16, 33, 24, tzinfo=UTC),  # the run's creation: when it was pushed by
        )
    ]


@pytest.fixture
def gitlab_test():
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="gitlab", pattern="GitlabHQ/Gitlab-Test", value_stream=vs)
    return vs


def test_gitlab_issue_is_new_work(client, gitlab_test):
    response = post_gitlab(client, "gitlab_issue.json", "Issue Hook")

    assert response.json()["status"] == "processed"
    assert _item() == (
        "gitlabhq/gitlab-test#23",
        "new",
        "feature",
        dt.datetime(2013, 12, 3, 17, 15, 43, tzinfo=UTC),
        None,
        None,
    )
    assert Incident.objects.count() == 0


def test_gitlab_incident_opens_an_incident(client, gitlab_test):
    response = post_gitlab(client, "gitlab_incident.json", "Issue Hook")

    assert response.json()["incidents"] == 1
    assert list(Incident.objects.values_list("value_stream", "external_id", "opened_at", "resolved_at")) == [
        (gitlab_test.id, "gitlabhq/gitlab-test#23", dt.datetime(2013, 12, 3, 17, 15, 43, tzinfo=UTC), None)
    ]
    assert _item()[1:3] == ("new", "defect")


def test_gitlab_merge_request_opened_is_work_in_progress_since_it_was_seen(client, gitlab_test):
    post_gitlab(client, "gitlab_merge_request.json", "Merge Request Hook")

    opened = dt.datetime(2013, 12, 3, 17, 23, 34, tzinfo=UTC)
    assert _item() == ("gitlabhq/gitlab-test!1", "active", "feature", opened, opened, None)


def test_gitlab_push_records_the_commits_of_the_default_branch(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="gitlab", pattern="mike/diaspora", value_stream=vs)

    response = post_gitlab(client, "gitlab_push.json", "Push Hook")

    assert response.json()["commits"] == 2
    # +02:00 timestamps stored in UTC
    assert list(Commit.objects.order_by("authored_at").values_list("repository", "sha", "authored_at")) == [
        (
            "mike/diaspora",
            "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
            dt.datetime(2011, 12, 12, 12, 27, 31, tzinfo=UTC),
        ),
        ("mike/diaspora", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", dt.datetime(2012, 1, 3, 21, 36, 29, tzinfo=UTC)),
    ]


def test_gitlab_pipeline_records_its_commit(client):
    vs = ValueStreamFactory()
    SourceRule.objects.create(source="gitlab", pattern="gitlab-org/gitlab-test", value_stream=vs)

    response = post_gitlab(client, "gitlab_pipeline.json", "Pipeline Hook")

    assert response.json()["commits"] == 1
    assert list(Commit.objects.values_list("repository", "sha", "authored_at", "pushed_at")) == [
        (
            "gitlab-org/gitlab-test",
            "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            dt.datetime(2016, 8, 12, 15, 23, 21, tzinfo=UTC),
            dt.datetime(2016, 8, 12, 15, 23, 28, tzinfo=UTC),  # "2016-08-12 15:23:28 UTC", GitLab's own format
        )
    ]
