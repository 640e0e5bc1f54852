"""Schemathesis over every API operation, in-process: no client input ever gets a 500 (AT-61).

The schema is fetched from our own `/api/schema/` through schemathesis' WSGI loader and every
operation is called through Django's WSGI handler inside the test's transaction, as a director
and as a value stream manager (token auth). Each operation gets a handful of derandomized
examples, so the run is deterministic and stays well under two minutes on two cores; it runs on
SQLite and, with DATABASE_URL=postgres://..., on PostgreSQL alike.
"""

import os
import warnings
from collections import defaultdict

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from funding.models import PBSession
from portfolio.models import BenefitHypothesis, BenefitMeasurement, SourceRule, StatusMapping
from tests.factories import (
    ActionItemFactory,
    AllocationFactory,
    DependencyFactory,
    DeploymentFactory,
    EpicFactory,
    GuardrailFactory,
    IncidentFactory,
    KeyResultFactory,
    MMPFactory,
    ObjectiveFactory,
    PlanningEventFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    RiskFactory,
    ScenarioFactory,
    SpendFactory,
    StrategicThemeFactory,
    TeamFactory,
    TeamSprintFactory,
    ValueStreamSnapshotFactory,
    WipLimitFactory,
    WorkItemFactory,
)
from tests.factories_maps import MapStageFactory, ValueStreamMapFactory
from tests.factories_outbound import EventSubscriptionFactory
from tests.factories_people import (
    CustomerFeedbackFactory,
    ExecutiveActionTeamFactory,
    ImpedimentFactory,
    PIObjectiveFactory,
    ProgramIncrementFactory,
    ReleaseTrainFactory,
    StreamRoleFactory,
)
from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory, StageGateFactory
from tests.factories_rhythm import ProblemWorkshopFactory, RetroNoteFactory, SystemDemoFactory
from vmo.models import AgendaItem

# A handful per operation and generation mode keeps CI under a minute; API_FUZZ_EXAMPLES=100 digs deeper.
EXAMPLES_PER_OPERATION = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance]

# Operations left out, each with the reason.
EXCLUDED_OPERATIONS: dict[str, str] = {
    "DELETE /api/event-subscriptions/{id}/": (
        "removes the fixture's only subscription for good, so its later reads could only 404; "
        "tests/portfolio/test_events.py covers it (allowed for directors, denied for the rest)"
    ),
}
# 500s found in code this branch may not change, reported to its owners; still fuzzed, reported
# as a warning instead of a failure. Remove the entry with the fix.
KNOWN_SERVER_ERRORS: dict[str, str] = {}
# Reads only directors may make (they name other systems' URLs): a 403 for everyone else.
# Reads that are fuzzed but need a query the generator cannot guess to answer 200.
NO_200_FROM_GENERATED_QUERY = {
    "GET /api/scenarios/compare/": "?ids= must name existing scenarios of one budget, comma-separated",
}
# Reads only directors may make (users with their e-mail, the settings audit log, outbound event
# subscriptions): 403 for others. Prefixes of operation labels.
DIRECTOR_ONLY_READS = ("GET /api/users/", "GET /api/setting-changes/", "GET /api/event-subscriptions/")


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, without the per-request connection closing.

    Django closes a connection whose autocommit differs from its setting at the end of every
    request; inside the test's transaction that would drop the transaction (Django's own test
    client disconnects the same signal handlers for the same reason).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def portfolio(value_stream, other_value_stream, vsm):
    """A little of everything; detail operations are called on these rows (collection -> id)."""
    quarter = QuarterFactory()
    epic = EpicFactory(value_stream=value_stream)
    EpicFactory(value_stream=other_value_stream)
    mmp = MMPFactory(epic=epic)
    objective = ObjectiveFactory(value_stream=value_stream, quarter=quarter)
    key_result = KeyResultFactory(objective=objective)
    event = PlanningEventFactory(quarter=quarter)
    budget = QuarterBudgetFactory(quarter=quarter)
    benefit = BenefitHypothesis.objects.create(
        epic=epic, kind="money", title="Fees", monthly_amount_cents=100_00, start_month=quarter.start
    )
    measurement = BenefitMeasurement.objects.create(benefit=benefit, measured_on=quarter.start, amount_cents=50_00)
    # A closed participatory budgeting session: visible to everyone, its outcome readable.
    pb_session = PBSession.objects.create(
        budget=budget, name="Fuzz game", money_cents=100_00, status="closed", ends_at=timezone.now(), created_by=vsm
    )
    # Project mode: a plan (so epics/{id}/earned-value/ answers 200), a phase, milestone and gate.
    plan = ProjectPlanFactory(epic=epic)
    phase = ProjectPhaseFactory(epic=epic)
    gate = StageGateFactory(epic=epic, key="planning", name="Planning")
    vs_map = ValueStreamMapFactory(value_stream=value_stream)
    return {
        "project-plans": plan.pk,
        "phases": phase.pk,
        "milestones": MilestoneFactory(epic=epic, phase=phase).pk,
        "stage-gates": gate.pk,
        "benefits": benefit.pk,
        "benefit-measurements": measurement.pk,
        "allocations": AllocationFactory(budget=budget, value_stream=value_stream).pk,
        "budgets": budget.pk,
        "deployments": DeploymentFactory(value_stream=value_stream).pk,
        "guardrails": GuardrailFactory(budget=budget).pk,
        "incidents": IncidentFactory(value_stream=value_stream).pk,
        "scenarios": ScenarioFactory(budget=budget).pk,
        "snapshots": ValueStreamSnapshotFactory(value_stream=value_stream).pk,
        "spend": SpendFactory(value_stream=value_stream).pk,
        "teams": TeamFactory(value_stream=value_stream).pk,
        "team-sprints": TeamSprintFactory(team=TeamFactory(value_stream=value_stream)).pk,
        "work-items": WorkItemFactory(value_stream=value_stream).pk,
        "action-items": ActionItemFactory().pk,
        "agenda-items": AgendaItem.objects.create(event=event, position=1, text="Fuzz", planned_minutes=10).pk,
        "system-demos": SystemDemoFactory(event__quarter=quarter).pk,
        "problem-workshops": ProblemWorkshopFactory(event__quarter=quarter).pk,
        "retrospective-notes": RetroNoteFactory(event__quarter=quarter).pk,
        "dependencies": DependencyFactory(epic=epic).pk,
        "epics": epic.pk,
        # Nothing listens on port 9, and the test's transaction never commits, so the events the
        # fuzzed writes raise are recorded but never delivered.
        "event-subscriptions": EventSubscriptionFactory(url="http://127.0.0.1:9/hook").pk,
        "key-results": key_result.pk,
        "mmps": mmp.pk,
        "objectives": objective.pk,
        "planning-events": event.pk,
        "pb-sessions": pb_session.pk,
        "quarters": quarter.pk,
        "risks": RiskFactory(value_stream=value_stream).pk,
        "themes": StrategicThemeFactory().pk,
        "value-streams": value_stream.pk,
        "wip-limits": WipLimitFactory(state="implementing", limit=5).pk,
        "source-rules": SourceRule.objects.create(source="github", pattern="acme/fuzz", value_stream=value_stream).pk,
        "status-mappings": StatusMapping.objects.create(source="jira", tool_status="Paused", flow_status="waiting").pk,
        "users": vsm.pk,
        "value-stream-maps": vs_map.pk,
        "map-stages": MapStageFactory(map=vs_map, position=1, tool_statuses=["in dev"]).pk,
        # issue 20: people, obstacles, feedback, release trains
        **_people_objects(value_stream=value_stream, quarter=quarter, epic=epic, vsm=vsm),
    }


def _people_objects(*, value_stream, quarter, epic, vsm):
    eat = ExecutiveActionTeamFactory(quarter=quarter)
    increment = ProgramIncrementFactory(train=ReleaseTrainFactory(value_stream=value_stream))
    return {
        "executive-action-teams": eat.pk,
        "stream-roles": StreamRoleFactory(value_stream=value_stream, user=vsm).pk,
        "impediments": ImpedimentFactory(value_stream=value_stream, escalated_to=eat, escalated_at=timezone.now()).pk,
        "customer-feedback": CustomerFeedbackFactory(epic=epic).pk,
        "release-trains": increment.train_id,
        "program-increments": increment.pk,
        "pi-objectives": PIObjectiveFactory(increment=increment, actual_value=3).pk,
    }


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED_OPERATIONS:
            continue
        yield operation


# Every operation of the API, each a handful of times: minutes on two loaded cores.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("persona", ["director", "vsm"])
def test_no_operation_answers_500_to_generated_input(persona, request, portfolio, wsgi_app):
    # Given a director or a value stream manager with an API token
    user = request.getfixturevalue(persona)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)
    failures: list[str] = []
    statuses: dict[str, set[int]] = defaultdict(set)
    operations = list(_operations(schema))
    assert len(operations) >= 28  # every endpoint of the merged apps, none silently dropped

    # When each operation is called with generated (valid and invalid) input
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, portfolio, failures, statuses)

    # Then the fuzzer reached real rows (every read answered 200 at least once; a new collection
    # needs a row in the `portfolio` fixture above) ...
    unreached = sorted(
        label
        for label, codes in statuses.items()
        if label.startswith("GET ")
        and 200 not in codes
        and label not in NO_200_FROM_GENERATED_QUERY
        and not (persona != "director" and label.startswith(DIRECTOR_ONLY_READS))
    )
    assert unreached == []
    # ... and no response is a 500 and every response matches the schema
    known = [failure for failure in failures if failure.split(" (")[0] in KNOWN_SERVER_ERRORS]
    for failure in known:
        warnings.warn(f"known server error: {failure[:300]}", stacklevel=1)
    unknown = [failure for failure in failures if failure not in known]
    assert not unknown, "\n\n".join(unknown)


class _RolledBack(Exception):
    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def _fuzz(operation, mode, headers, known_ids, failures, statuses):
    """Call one operation with derandomized examples; record what fails instead of shrinking."""
    calls = [0]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        # Most examples address a real row (random ids only ever find a 404); every fourth keeps
        # the generated id, which may be zero, negative or beyond a 64-bit integer.
        calls[0] += 1
        known = known_ids.get(operation.path.split("/")[2])
        if "id" in (case.path_parameters or {}) and known is not None and calls[0] % 4:
            case.path_parameters["id"] = known
        # Each call in a savepoint: on PostgreSQL a database error behind a 500 aborts the test's
        # transaction, and every later call would fail for that reason alone.
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    raise _RolledBack(response)
        except _RolledBack as rolled_back:
            response = rolled_back.response
        statuses[operation.label].add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis: Failure or FailureGroup
            failures.append(
                f"{operation.label} ({mode}) path={case.path_parameters} query={case.query} body={case.body!r:.300}: "
                f"{type(exc).__name__}: {str(exc)[:1500]} -> {response.status_code} {response.text[:300]}"
            )

    try:
        call()
    except Unsatisfiable:
        # An operation without parameters or body (GET /api/, GET /api/org-settings/) has nothing to make invalid.
        if mode != GenerationMode.NEGATIVE:
            raise
