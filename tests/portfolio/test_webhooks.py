"""Webhooks from GitHub, GitLab and Jira: signatures, mapping, replays."""

import hashlib
import hmac
import json

import pytest

from portfolio.models import Deployment, ParkedDelivery, SourceRule, StatusMapping, WebhookDelivery, WorkItem
from portfolio.services import ingestion
from tests.factories import ValueStreamFactory

pytestmark = pytest.mark.django_db

SECRETS = {"github": "gh-secret", "gitlab": "gl-token", "jira": "jira-secret"}


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.WEBHOOK_SECRETS = SECRETS


@pytest.fixture
def stream():
    vs = ValueStreamFactory(slug="payments")
    SourceRule.objects.create(source="github", pattern="acme/payments", value_stream=vs)
    SourceRule.objects.create(source="gitlab", pattern="acme/payments", value_stream=vs)
    SourceRule.objects.create(source="jira", pattern="PAY", value_stream=vs)
    return vs


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_issue(number=7, state="open", labels=(), **extra):
    return {
        "action": "opened",
        "issue": {
            "number": number,
            "title": "Refunds over 1000 EUR fail",
            "state": state,
            "labels": [{"name": name} for name in labels],
            "created_at": "2026-07-01T09:00:00Z",
            "updated_at": "2026-07-02T09:00:00Z",
            "closed_at": "2026-07-03T09:00:00Z" if state == "closed" else None,
            **extra,
        },
        "repository": {"full_name": "acme/payments"},
    }


def post_github(client, payload, *, event="issues", delivery="d-1", secret=SECRETS["github"], signature=None):
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}
    if signature is None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/api/webhooks/github/", body, content_type="application/json", headers=headers)


def test_github_issue_with_a_good_signature_is_stored_in_the_mapped_value_stream(client, stream):
    response = post_github(client, github_issue(labels=["bug"]))

    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "processed", "work_items": 1, "deployments": 0, "commits": 0, "incidents": 0}
    item = WorkItem.objects.get()
    assert (item.value_stream_id, item.source, item.external_id, item.item_type, item.status) == (
        stream.id,
        "github",
        "acme/payments#7",
        "defect",
        "new",
    )


@pytest.mark.parametrize(
    ("signature", "code"),
    [("", 401), ("sha256=" + "0" * 64, 403), ("garbage", 403)],
    ids=["missing", "wrong", "malformed"],
)
def test_github_without_a_valid_signature_is_refused_and_nothing_is_stored(client, stream, signature, code):
    response = post_github(client, github_issue(), signature=signature)

    assert response.status_code == code
    assert WorkItem.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_github_signed_with_another_secret_is_forbidden(client, stream):
    response = post_github(client, github_issue(), secret="not-the-secret")

    assert response.status_code == 403
    assert WorkItem.objects.count() == 0


def test_without_a_configured_secret_every_delivery_is_forbidden(client, stream, settings):
    settings.WEBHOOK_SECRETS = {"github": ""}

    response = post_github(client, github_issue(), secret="")

    assert response.status_code == 403
    assert WorkItem.objects.count() == 0


def test_a_replayed_delivery_changes_nothing(client, stream):
    post_github(client, github_issue(), delivery="same")
    stamp = WorkItem.objects.get().ingested_at

    replay = post_github(client, github_issue(state="closed"), delivery="same")

    assert replay.json()["status"] == "duplicate"
    item = WorkItem.objects.get()
    assert (item.status, item.ingested_at) == ("new", stamp)


def test_a_later_delivery_moves_the_item_through_the_configured_status_mapping(client, stream):
    StatusMapping.objects.create(source="github", tool_status="in progress", flow_status="active")
    post_github(client, github_issue(), delivery="1")

    post_github(client, github_issue(labels=["In Progress"]), delivery="2")
    post_github(client, github_issue(state="closed"), delivery="3")

    item = WorkItem.objects.get()
    assert item.status == "done"
    assert item.active_seconds == 24 * 3600  # active from the 2nd to the close on the 3rd
    assert item.finished_at.isoformat() == "2026-07-03T09:00:00+00:00"


def test_github_deployment_status_records_a_deployment(client, stream):
    payload = {
        "deployment_status": {"state": "success", "created_at": "2026-07-05T10:00:00Z"},
        "deployment": {"id": 42, "environment": "prod", "created_at": "2026-07-05T09:58:00Z"},
        "repository": {"full_name": "acme/payments"},
    }

    response = post_github(client, payload, event="deployment_status")

    assert response.json()["deployments"] == 1
    deployment = Deployment.objects.get()
    assert (deployment.external_id, deployment.environment, deployment.succeeded) == (
        "acme/payments:42",
        "production",
        True,
    )


def test_an_unmapped_repository_is_parked_then_replayed_when_a_rule_is_added(client, stream):
    # Was: acknowledged and ignored, and a redelivery after adding the rule answered "duplicate".
    payload = github_issue()
    payload["repository"]["full_name"] = "Acme/Unknown"

    first = post_github(client, payload, delivery="d-parked")
    again = post_github(client, payload, delivery="d-parked")

    assert first.json()["status"] == "parked"
    assert again.json()["status"] == "parked"  # a redelivery of a parked id is processed, not a duplicate
    assert WorkItem.objects.count() == 0
    parked = ParkedDelivery.objects.get()
    assert (parked.source, parked.location, parked.event, parked.delivery_id) == (
        "github",
        "acme/unknown",
        "issues",
        "d-parked",
    )

    replayed = ingestion.source_rule_add(source="github", pattern="ACME/unknown", value_stream=stream)

    assert replayed == 1
    assert WorkItem.objects.get().external_id == "acme/unknown#7"
    assert ParkedDelivery.objects.count() == 0
    assert post_github(client, payload, delivery="d-parked").json()["status"] == "duplicate"


def test_repository_rules_match_case_insensitively(client, stream):
    payload = github_issue()
    payload["repository"]["full_name"] = "ACME/Payments"

    assert post_github(client, payload).json()["status"] == "processed"
    assert WorkItem.objects.get().value_stream == stream


def gitlab_issue(state="opened"):
    return {
        "object_kind": "issue",
        "project": {"path_with_namespace": "acme/payments"},
        "object_attributes": {
            "iid": 3,
            "title": "Tech debt: retire v1 API",
            "state": state,
            "created_at": "2026-07-01 09:00:00 UTC",
            "updated_at": "2026-07-02 09:00:00 UTC",
            "closed_at": "2026-07-04 09:00:00 UTC" if state == "closed" else None,
        },
        "labels": [{"title": "tech-debt"}],
    }


@pytest.mark.parametrize(("token", "code"), [(None, 401), ("wrong", 403), (SECRETS["gitlab"], 200)])
def test_gitlab_token_is_checked(client, stream, token, code):
    headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Event-UUID": "u-1"}
    if token:
        headers["X-Gitlab-Token"] = token

    response = client.post(
        "/api/webhooks/gitlab/", json.dumps(gitlab_issue()), content_type="application/json", headers=headers
    )

    assert response.status_code == code
    assert WorkItem.objects.count() == (1 if code == 200 else 0)


def test_gitlab_closed_issue_is_done_debt(client, stream):
    headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": SECRETS["gitlab"]}

    client.post(
        "/api/webhooks/gitlab/", json.dumps(gitlab_issue("closed")), content_type="application/json", headers=headers
    )

    item = WorkItem.objects.get()
    assert (item.external_id, item.item_type, item.status) == ("acme/payments#3", "debt", "done")
    assert item.finished_at.isoformat() == "2026-07-04T09:00:00+00:00"


def test_gitlab_without_a_delivery_id_is_deduplicated_by_its_body(client, stream):
    headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": SECRETS["gitlab"]}
    body = json.dumps(gitlab_issue())

    first = client.post("/api/webhooks/gitlab/", body, content_type="application/json", headers=headers)
    second = client.post("/api/webhooks/gitlab/", body, content_type="application/json", headers=headers)

    assert (first.json()["status"], second.json()["status"]) == ("processed", "duplicate")


def jira_issue(event="jira:issue_updated", status="In Review", category="indeterminate"):
    return {
        "webhookEvent": event,
        "timestamp": 1783000000000,
        "issue": {
            "key": "PAY-12",
            "fields": {
                "summary": "Instant payouts",
                "project": {"key": "PAY"},
                "issuetype": {"name": "Story"},
                "status": {"name": status, "statusCategory": {"key": category}},
                "created": "2026-07-01T09:00:00.000+0000",
                "updated": "2026-07-02T10:00:00.000+0000",
            },
        },
    }


@pytest.mark.parametrize(("secret", "code"), [(None, 401), ("wrong", 403), (SECRETS["jira"], 200)])
def test_jira_shared_secret_is_checked(client, stream, secret, code):
    body = json.dumps(jira_issue()).encode()
    headers = {"X-Atlassian-Webhook-Identifier": "j-1"}
    if secret:
        headers["X-Hub-Signature"] = sign(secret, body)

    response = client.post("/api/webhooks/jira/", body, content_type="application/json", headers=headers)

    assert response.status_code == code
    assert WorkItem.objects.count() == (1 if code == 200 else 0)


def test_jira_status_maps_per_source_before_the_category(client, stream):
    StatusMapping.objects.create(source="jira", tool_status="In Review", flow_status="waiting")
    body = json.dumps(jira_issue()).encode()

    client.post(
        "/api/webhooks/jira/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature": sign(SECRETS["jira"], body), "X-Atlassian-Webhook-Identifier": "j-2"},
    )

    item = WorkItem.objects.get()
    assert (item.external_id, item.status, item.item_type) == ("PAY-12", "waiting", "feature")


def test_a_payload_that_cannot_be_mapped_is_a_400_and_can_be_retried(client, stream):
    payload = github_issue()
    payload["issue"]["created_at"] = None

    response = post_github(client, payload, delivery="broken")

    assert response.status_code == 400
    assert WorkItem.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_webhooks_answer_only_post(client):
    assert client.get("/api/webhooks/github/").status_code == 405


def test_a_non_json_body_is_a_400(client, stream):
    body = b"not json"
    response = client.post(
        "/api/webhooks/github/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(SECRETS["github"], body), "X-GitHub-Event": "issues"},
    )

    assert response.status_code == 400
