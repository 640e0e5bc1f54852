"""Hostile bodies to every write endpoint of the API and every webhook: deep nesting, bodies over
the limit, huge strings, wrong types, NUL bytes, invalid UTF-8, `labels` that is not a list,
`created_at: 1e30`, random bytes. None may answer 500; the limits answer exactly 400 / 413."""

import hashlib
import hmac
import json
import random
import re

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from funding.models import PBSession
from portfolio.models import SourceRule, StatusMapping
from tests import factories as f
from tests.factories_maps import MapStageFactory, ValueStreamMapFactory
from tests.factories_outbound import EventSubscriptionFactory
from tests.factories_rhythm import ProblemWorkshopFactory
from vmo.models import AgendaItem

pytestmark = pytest.mark.django_db

# Every API path with a write method (the schema test below keeps this list complete).
WRITES = [
    ("post", "/api/action-items/"),
    ("patch", "/api/action-items/{action_item}/"),
    ("post", "/api/agenda-items/"),
    ("patch", "/api/agenda-items/{agenda_item}/"),
    ("post", "/api/system-demos/"),
    ("post", "/api/problem-workshops/"),
    ("post", "/api/problem-workshops/{problem_workshop}/improvements/"),
    ("post", "/api/retrospective-notes/"),
    ("post", "/api/allocations/"),
    ("patch", "/api/allocations/{allocation}/"),
    ("post", "/api/allocations/transfer/"),
    ("post", "/api/budgets/"),
    ("put", "/api/budgets/{budget}/"),
    ("post", "/api/budgets/{budget}/approve/"),
    ("post", "/api/budgets/{budget}/close/"),
    ("post", "/api/dependencies/"),
    ("patch", "/api/dependencies/{dependency}/"),
    ("post", "/api/deployments/"),
    ("post", "/api/epics/"),
    ("patch", "/api/epics/{epic}/"),
    ("post", "/api/epics/{epic}/go-decision/"),
    ("post", "/api/epics/{epic}/move/"),
    ("post", "/api/guardrails/"),
    ("patch", "/api/guardrails/{guardrail}/"),
    ("post", "/api/incidents/"),
    ("post", "/api/key-results/"),
    ("patch", "/api/key-results/{key_result}/"),
    ("post", "/api/key-results/{key_result}/check-ins/"),
    ("post", "/api/key-results/{key_result}/benefits/"),
    ("post", "/api/mmps/"),
    ("patch", "/api/mmps/{mmp}/"),
    ("post", "/api/objectives/"),
    ("patch", "/api/objectives/{objective}/"),
    ("post", "/api/planning-events/"),
    ("patch", "/api/planning-events/{planning_event}/"),
    ("post", "/api/planning-events/{planning_event}/close/"),
    ("post", "/api/planning-events/{planning_event}/communications/"),
    ("post", "/api/planning-events/{planning_event}/planned-mmps/"),
    ("post", "/api/quarters/"),
    ("put", "/api/quarters/{quarter}/"),
    ("post", "/api/risks/"),
    ("patch", "/api/risks/{risk}/"),
    ("post", "/api/scenarios/"),
    ("post", "/api/scenarios/{scenario}/commit/"),
    ("post", "/api/scenarios/{scenario}/lines/"),
    ("post", "/api/spend/"),
    ("post", "/api/spend/{spend}/void/"),
    ("post", "/api/teams/"),
    ("patch", "/api/teams/{team}/"),
    ("post", "/api/team-sprints/"),
    ("post", "/api/themes/"),
    ("patch", "/api/themes/{theme}/"),
    ("post", "/api/value-streams/"),
    ("patch", "/api/value-streams/{value_stream}/"),
    ("post", "/api/work-items/"),
    ("post", "/api/benefits/"),
    ("post", "/api/benefit-measurements/"),
    ("post", "/api/epics/{epic}/mvp-evaluation/"),
    ("post", "/api/scenarios/{scenario}/optimise/"),
    ("post", "/api/pb-sessions/"),
    ("post", "/api/pb-sessions/{pb_session}/pledges/"),
    ("post", "/api/pb-sessions/{pb_session}/close/"),
    ("post", "/api/pb-sessions/{pb_session}/close-round/"),
    ("post", "/api/pb-sessions/{pb_session}/scenario/"),
    ("patch", "/api/org-settings/"),
    ("post", "/api/wip-limits/"),
    ("patch", "/api/wip-limits/{wip_limit}/"),
    ("post", "/api/entry-policies/"),
    ("post", "/api/source-rules/"),
    ("patch", "/api/source-rules/{source_rule}/"),
    ("post", "/api/status-mappings/"),
    ("patch", "/api/status-mappings/{status_mapping}/"),
    ("post", "/api/users/"),
    ("patch", "/api/users/{user}/"),
    ("post", "/api/value-stream-maps/"),
    ("patch", "/api/value-stream-maps/{value_stream_map}/"),
    ("post", "/api/map-stages/"),
    ("patch", "/api/map-stages/{map_stage}/"),
    # issue 18: project mode
    ("post", "/api/project-plans/"),
    ("patch", "/api/project-plans/{project_plan}/"),
    ("post", "/api/phases/"),
    ("patch", "/api/phases/{phase}/"),
    ("post", "/api/milestones/"),
    ("patch", "/api/milestones/{milestone}/"),
    ("post", "/api/stage-gates/"),
    ("patch", "/api/stage-gates/{stage_gate}/"),
    ("post", "/api/stage-gates/{stage_gate}/decide/"),
    # issue 19: outbound events
    ("post", "/api/event-subscriptions/"),
    ("patch", "/api/event-subscriptions/{event_subscription}/"),
    # issue 20: people, obstacles, feedback, release trains
    ("post", "/api/executive-action-teams/"),
    ("patch", "/api/executive-action-teams/{executive_action_team}/"),
    ("post", "/api/stream-roles/"),
    ("post", "/api/impediments/"),
    ("patch", "/api/impediments/{impediment}/"),
    ("post", "/api/impediments/{impediment}/escalate/"),
    ("post", "/api/impediments/{impediment}/resolve/"),
    ("post", "/api/customer-feedback/"),
    ("post", "/api/release-trains/"),
    ("patch", "/api/release-trains/{release_train}/"),
    ("post", "/api/program-increments/"),
    ("post", "/api/pi-objectives/"),
    ("patch", "/api/pi-objectives/{pi_objective}/"),
]
# Actions that take no body (the schema says `request=None`): they never parse what is sent.
BODYLESS = {
    "/api/budgets/{budget}/approve/",
    "/api/budgets/{budget}/close/",
    "/api/planning-events/{planning_event}/close/",
    "/api/spend/{spend}/void/",
    "/api/pb-sessions/{pb_session}/close/",
    "/api/pb-sessions/{pb_session}/close-round/",
    "/api/pb-sessions/{pb_session}/scenario/",
    "/api/impediments/{impediment}/escalate/",
}
WEBHOOKS = ["github", "gitlab", "jira", "pagerduty"]
SECRETS = {"github": "gh", "gitlab": "gl", "jira": "ji", "pagerduty": "pd"}

TOO_DEEP = [b"[" * 1000 + b"]" * 1000, b'{"title": ' * 100 + b"1" + b"}" * 100]
REFUSED = [
    b'{"title": "a\\u0000b", "name": "x"}',  # NUL: PostgreSQL text cannot hold it
    b'{"title": "\xff\xfe"}',  # not UTF-8
    b'{"created_at": 1e30, "external_id": "X-1", "value": 1e30, "amount": 1e30}',
]
TOO_LARGE = b'{"title": "' + b"x" * (6 * 1024 * 1024) + b'"}'
ANSWERED = [  # any 2xx/4xx, never 5xx
    json.dumps({"title": "x" * 200_000, "name": "y" * 200_000, "note": "z" * 200_000}).encode(),
    json.dumps(
        {
            "title": {"a": 1},
            "name": [1, 2],
            "value_stream": "abc",
            "amount": [1],
            "total": {"x": 1},
            "labels": "bug",
            "created_at": 10**30,
            "to_state": 7,
            "version": "x",
            "quarter": -1,
            "value": "NaN",
        }
    ).encode(),
    json.dumps([1, "x", None, {}, []]).encode(),
    json.dumps([{"external_id": "X", "created_at": "2026-07-01", "labels": "bug"}] * 3).encode(),
    b"null",
    b'"just a string"',
    b"12345678901234567890123456789012345678901234567890",
    b"",
]


def _garbage(seed: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))


@pytest.fixture
def objects(director, value_stream, quarter):
    budget = f.QuarterBudgetFactory(quarter=quarter)
    epic = f.EpicFactory(value_stream=value_stream)
    objective = f.ObjectiveFactory(quarter=quarter, value_stream=value_stream)
    return {
        "action_item": f.ActionItemFactory().id,
        "agenda_item": AgendaItem.objects.create(
            event=f.PlanningEventFactory(quarter=quarter), position=1, text="Hostile", planned_minutes=5
        ).id,
        "problem_workshop": ProblemWorkshopFactory(event__quarter=quarter).id,
        "allocation": f.AllocationFactory(budget=budget, value_stream=value_stream).id,
        "budget": budget.id,
        "dependency": f.DependencyFactory(epic=epic, depends_on=f.EpicFactory(value_stream=value_stream)).id,
        "epic": epic.id,
        "guardrail": f.GuardrailFactory(budget=budget).id,
        "key_result": f.KeyResultFactory(objective=objective).id,
        "mmp": f.MMPFactory(epic=epic).id,
        "objective": objective.id,
        "planning_event": f.PlanningEventFactory(quarter=quarter).id,
        "quarter": quarter.id,
        "risk": f.RiskFactory(value_stream=value_stream).id,
        "scenario": f.ScenarioFactory(budget=budget).id,
        "spend": f.SpendFactory(value_stream=value_stream).id,
        "team": f.TeamFactory(value_stream=value_stream).id,
        "theme": f.StrategicThemeFactory().id,
        "value_stream": value_stream.id,
        "wip_limit": f.WipLimitFactory(state="implementing", limit=4).id,
        "source_rule": SourceRule.objects.create(source="github", pattern="acme/x", value_stream=value_stream).id,
        "status_mapping": StatusMapping.objects.create(source="jira", tool_status="Paused", flow_status="waiting").id,
        "user": f.UserFactory().id,
        "value_stream_map": (vs_map := ValueStreamMapFactory(value_stream=value_stream)).id,
        "map_stage": MapStageFactory(map=vs_map, position=1).id,
        **_project_objects(epic=epic),
        "event_subscription": EventSubscriptionFactory().id,
        **_people_objects(value_stream=value_stream, quarter=quarter),
        "pb_session": PBSession.objects.create(
            budget=budget, name="Hostile game", money_cents=100_00, ends_at=timezone.now(), created_by=director
        ).id,
    }


def _project_objects(*, epic):
    from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory, StageGateFactory

    return {
        "project_plan": ProjectPlanFactory(epic=epic).id,
        "phase": ProjectPhaseFactory(epic=epic).id,
        "milestone": MilestoneFactory(epic=epic).id,
        "stage_gate": StageGateFactory(epic=epic, key="planning", name="Planning").id,
    }


def _people_objects(*, value_stream, quarter):
    from tests.factories_people import (
        ExecutiveActionTeamFactory,
        ImpedimentFactory,
        PIObjectiveFactory,
        ProgramIncrementFactory,
    )

    increment = ProgramIncrementFactory(train__value_stream=value_stream)
    return {
        "executive_action_team": ExecutiveActionTeamFactory(quarter=quarter).id,
        "impediment": ImpedimentFactory(value_stream=value_stream).id,
        "release_train": increment.train_id,
        "pi_objective": PIObjectiveFactory(increment=increment).id,
    }


def _send(client, method: str, url: str, body: bytes):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_no_write_endpoint_answers_500_to_hostile_bodies(method, path, director, objects):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=director).key}")
    url = path.format(**objects)
    statuses = {}

    for body in TOO_DEEP + REFUSED + [TOO_LARGE]:
        statuses[body[:30]] = _send(client, method, url, body).status_code
    if path in BODYLESS:  # the action reads no body, so nothing parses it: any 2xx/4xx
        assert max(statuses.values()) < 500, statuses
    else:
        assert list(statuses.values()) == [400, 400, 400, 400, 400, 413], statuses
    for body in ANSWERED + [_garbage(seed) for seed in range(5)]:
        response = _send(client, method, url, body)
        assert response.status_code < 500, (body[:60], response.status_code)


def _webhook_headers(source: str, body: bytes) -> dict:
    digest = hmac.new(SECRETS[source].encode(), body, hashlib.sha256).hexdigest()
    return {
        "github": {"X-GitHub-Event": "issues", "X-Hub-Signature-256": f"sha256={digest}"},
        "gitlab": {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": SECRETS["gitlab"]},
        "jira": {"X-Atlassian-Webhook-Event": "x", "X-Hub-Signature": f"sha256={digest}"},
        "pagerduty": {"X-PagerDuty-Signature": f"v1={digest}"},
    }[source]


SHAPES = {  # signed payloads whose shape lies, per source
    "github": [
        {"repository": {"full_name": "a/b"}, "issue": {"number": 1, "labels": "bug", "created_at": 1e30}},
        {"repository": "a/b", "issue": [1]},
        {"repository": {"full_name": 7}, "issue": {"number": "x", "created_at": "0001-01-01T00:00:00Z"}},
    ],
    "gitlab": [
        {"object_kind": "issue", "project": {"path_with_namespace": "a/b"}, "labels": "bug"},
        {"object_kind": "deployment", "status": "success", "deployment_id": {"x": 1}, "status_changed_at": 1e30},
        {"object_kind": "push", "commits": "abc"},
    ],
    "jira": [
        {"webhookEvent": "jira:issue_created", "issue": {"key": "A-1", "fields": {"labels": "bug"}}},
        {"webhookEvent": "jira:issue_created", "issue": {"key": 5, "fields": []}},
        {"webhookEvent": "jira:issue_created", "timestamp": 10**30, "issue": {"fields": {"created": "yesterday"}}},
    ],
    "pagerduty": [
        {"event": {"id": "E1", "event_type": "incident.triggered", "data": {"type": "incident", "service": "s"}}},
        {"event": {"id": "E2", "event_type": 7, "data": []}},
        {"event": {"id": "E3", "event_type": "incident.resolved", "occurred_at": 1e30, "data": {"type": "incident"}}},
    ],
}


@pytest.mark.parametrize("source", WEBHOOKS)
def test_no_webhook_answers_500_to_hostile_signed_bodies(client, settings, source):
    settings.WEBHOOK_SECRETS = SECRETS
    url = f"/api/webhooks/{source}/"

    def send(body: bytes, delivery: str):
        headers = {**_webhook_headers(source, body), "X-GitHub-Delivery": delivery}
        return client.post(url, body, content_type="application/json", headers=headers)

    # (`created_at: 1e30` at the top level is a key no event reads: ignored; SHAPES put it
    # where each source reads a date.)
    for index, body in enumerate(TOO_DEEP + REFUSED[:2]):
        assert send(body, f"r{index}").status_code == 400, body[:40]
    assert send(TOO_LARGE, "big").status_code == 413
    for index, payload in enumerate(SHAPES[source]):
        response = send(json.dumps(payload).encode(), f"s{index}")
        assert response.status_code == 400, (payload, response.content)
    for index, body in enumerate(ANSWERED + [_garbage(seed) for seed in range(5)]):
        response = send(body, f"a{index}")
        assert response.status_code < 500, (body[:60], response.status_code)


def test_the_payload_preview_answers_no_500_to_hostile_bodies(api_as, director):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=director).key}")
    for body in TOO_DEEP + REFUSED + ANSWERED + [_garbage(seed) for seed in range(5)]:
        assert _send(client, "post", "/api/webhooks/preview/", body).status_code < 500, body[:60]
    for source, payloads in SHAPES.items():
        for payload in payloads:
            body = json.dumps({"source": source, "event": "issues", "payload": payload}).encode()
            assert _send(client, "post", "/api/webhooks/preview/", body).status_code == 400, (source, payload)


def test_the_list_covers_every_write_endpoint_in_the_schema(api_as, executive):
    schema = api_as(executive).get("/api/schema/?format=json").json()
    in_schema = {
        re.sub(r"\{[^}]+\}", "{}", path)
        for path, operations in schema["paths"].items()
        if {"post", "put", "patch"} & set(operations) and not path.startswith("/api/webhooks/")
    }

    assert {re.sub(r"\{[^}]+\}", "{}", path) for _, path in WRITES} == in_schema
