"""Webhooks that lie: a signed body replayed under a new delivery id, payloads of the wrong
shape, dates out of bounds. Each changes nothing and answers 400 (or "duplicate"), never 500."""

import datetime as dt
import json
import logging

import pytest

from portfolio.models import SourceRule, WebhookDelivery, WorkItem
from portfolio.services import ingestion
from tests.factories import ValueStreamFactory
from tests.portfolio.test_webhooks import SECRETS, github_issue, post_github, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.WEBHOOK_SECRETS = SECRETS


@pytest.fixture
def stream():
    vs = ValueStreamFactory(slug="payments")
    SourceRule.objects.create(source="github", pattern="acme/payments", value_stream=vs)
    return vs


def test_an_old_signed_body_replayed_under_a_new_delivery_id_changes_nothing(client, stream):
    # Given the issue was opened, then closed
    opened = github_issue()
    post_github(client, opened, delivery="d-open")
    post_github(client, github_issue(state="closed", updated_at="2026-07-03T09:00:00Z"), delivery="d-close")
    before = WorkItem.objects.values("status", "finished_at", "ingested_at").get()

    # When an attacker replays the "opened" body, byte for byte, under a fresh delivery id
    replay = post_github(client, opened, delivery="d-forged")

    # Then it is a duplicate and the item keeps its closed state and finish date
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert WorkItem.objects.values("status", "finished_at", "ingested_at").get() == before
    assert before["status"] == "done"
    assert not WebhookDelivery.objects.filter(delivery_id="d-forged").exists()


def test_a_new_event_under_a_new_delivery_id_is_processed(client, stream):
    post_github(client, github_issue(), delivery="1")

    response = post_github(client, github_issue(state="closed"), delivery="2")

    assert response.json()["status"] == "processed"
    assert WorkItem.objects.get().status == "done"


def test_rows_carry_the_tools_own_event_time_for_the_upsert_to_compare():
    received = dt.datetime(2026, 7, 5, tzinfo=dt.UTC)

    mapped = ingestion.github_map("issues", github_issue(labels=["incident"]), {}, received)

    assert mapped.work_items[0]["source_updated_at"] == dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    assert mapped.incidents[0]["source_updated_at"] == dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)


OUT_OF_BOUNDS = "must be between 2000-01-01 and a day from now"


def _issue_with(**fields):
    payload = github_issue()
    payload["issue"].update(fields)
    return payload


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (_issue_with(labels="bug"), {"issue.labels": "must be a list"}),
        (_issue_with(labels=["bug"]), {"issue.labels[0]": "must be an object"}),
        (_issue_with(created_at=1e30), {"issue.created_at": "must be a date-time"}),
        (_issue_with(created_at="1999-12-31T00:00:00Z"), {"issue.created_at": OUT_OF_BOUNDS}),
        (_issue_with(updated_at="2999-01-01T00:00:00Z"), {"issue.updated_at": OUT_OF_BOUNDS}),
        (_issue_with(created_at="2026-13-45T99:00:00Z"), {"issue.created_at": "must be a date-time"}),
        (_issue_with(number=-1), {"issue.number": "is out of range"}),
        (_issue_with(number=10**30), {"issue.number": "is out of range"}),
        (_issue_with(number="seven"), {"issue.number": "must be an integer"}),
        (_issue_with(title=["a"]), {"issue.title": "must be a string"}),
        ({**github_issue(), "issue": "x"}, {"issue": "must be an object"}),
        ({**github_issue(), "repository": []}, {"repository": "must be an object"}),
    ],
)
def test_a_payload_of_the_wrong_shape_is_a_logged_400_and_changes_nothing(client, stream, payload, errors, caplog):
    caplog.set_level(logging.WARNING, logger="portfolio.api.webhooks")

    response = post_github(client, payload, delivery="bad")

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert "refused" in caplog.text
    assert WorkItem.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0  # may be sent again once fixed


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 1000 + b"]" * 1000, 400),  # was a RecursionError, a 500
        (b'{"issue": ' * 40 + b"1" + b"}" * 40, 400),
        (b'{"a": "\\u0000"}', 400),
        (b'{"a": "\xff\xfe"}', 400),  # not UTF-8
        (b"[1, 2]", 400),
        (b'{"a": ' + b'"' + b"x" * (6 * 1024 * 1024) + b'"}', 413),
    ],
)
def test_hostile_bodies_are_refused_before_parsing(client, stream, body, status):
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "h", "X-Hub-Signature-256": sign("gh-secret", body)}

    response = client.post("/api/webhooks/github/", body, content_type="application/json", headers=headers)

    assert response.status_code == status
    assert WorkItem.objects.count() == 0


def test_payload_validate_accepts_the_recorded_fixtures():
    from pathlib import Path

    folder = Path(__file__).parent / "fixtures" / "webhooks"
    events = {
        "github_deployment_status": ("github", "deployment_status"),
        "github_issues_deleted": ("github", "issues"),
        "github_push": ("github", "push"),
        "gitlab_deployment": ("gitlab", "deployment"),
        "jira_issue_updated": ("jira", "jira:issue_updated"),
        "pagerduty_incident_resolved": ("pagerduty", "incident"),
        "pagerduty_incident_triggered": ("pagerduty", "incident"),
    }
    received = dt.datetime.now(tz=dt.UTC)
    for name, (source, event) in events.items():
        payload = json.loads((folder / f"{name}.json").read_text())
        ingestion.payload_validate(source=source, event=event, payload=payload, received_at=received)
