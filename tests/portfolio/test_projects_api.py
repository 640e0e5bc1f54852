"""`/api/project-plans/`, `/api/phases/`, `/api/milestones/`, `/api/stage-gates/` and
`/api/epics/{id}/earned-value/`: writes per role (denied cases change nothing), defaults, 4xx."""

import datetime as dt

import pytest

from portfolio.models import DeliveryMode, Milestone, ProjectPhase, ProjectPlan, RollupDue, StageGate, StageGateDecision
from tests.factories import EpicFactory, UserFactory
from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory, StageGateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_epic(value_stream):
    value_stream.delivery_mode = DeliveryMode.PROJECT
    value_stream.save()
    return EpicFactory(value_stream=value_stream)


def test_a_vsm_baselines_a_project_of_their_stream_and_it_gets_the_configured_gates(api_as, vsm, project_epic):
    sponsor = UserFactory(username="sam_sponsor")

    response = api_as(vsm).post(
        "/api/project-plans/",
        {"epic": project_epic.id, "baseline_budget": "250000.00", "sponsor": sponsor.id},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["baseline_budget"], body["sponsor"], body["ev_method"]) == ("250000.00", sponsor.id, "milestones")
    assert list(StageGate.objects.filter(epic=project_epic).values_list("key", "name", "status")) == [
        ("initiation", "Initiation", "pending"),
        ("planning", "Planning", "pending"),
        ("execution", "Execution", "pending"),
        ("closure", "Closure", "pending"),
    ]
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [project_epic.value_stream_id]


def test_the_configured_gates_come_from_settings(settings, api_as, director, project_epic):
    settings.PROJECT_STAGE_GATES = [("idea", "Idea"), ("planning", "Planning"), ("go-live", "Go live")]

    api_as(director).post("/api/project-plans/", {"epic": project_epic.id, "baseline_budget": "1.00"}, format="json")

    assert list(StageGate.objects.filter(epic=project_epic).values_list("key", flat=True)) == [
        "idea",
        "planning",
        "go-live",
    ]


@pytest.mark.parametrize("who", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_baseline_a_project_and_nothing_is_written(request, api_as, who, project_epic):
    response = api_as(request.getfixturevalue(who)).post(
        "/api/project-plans/", {"epic": project_epic.id, "baseline_budget": "1000.00"}, format="json"
    )

    assert response.status_code == 403
    assert (ProjectPlan.objects.count(), StageGate.objects.count()) == (0, 0)


def test_an_epic_not_in_project_mode_cannot_be_baselined(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).post("/api/project-plans/", {"epic": epic.id, "baseline_budget": "1000.00"}, format="json")

    assert response.status_code == 400
    assert "not in project mode" in str(response.json())
    assert ProjectPlan.objects.count() == 0


@pytest.mark.parametrize("amount", ["-1.00", "1.005", "1e3", "abc"])
def test_a_bad_budget_is_a_400(api_as, vsm, project_epic, amount):
    response = api_as(vsm).post(
        "/api/project-plans/", {"epic": project_epic.id, "baseline_budget": amount}, format="json"
    )

    assert response.status_code == 400
    assert ProjectPlan.objects.count() == 0


def test_phases_default_their_forecast_to_the_baseline_and_refuse_an_end_before_the_start(api_as, vsm, project_epic):
    client = api_as(vsm)

    created = client.post(
        "/api/phases/",
        {"epic": project_epic.id, "name": "Design", "baseline_start": "2026-07-01", "baseline_end": "2026-07-31"},
        format="json",
    )
    bad = client.post(
        "/api/phases/",
        {"epic": project_epic.id, "name": "Build", "baseline_start": "2026-08-01", "baseline_end": "2026-07-31"},
        format="json",
    )

    assert created.status_code == 201
    assert (created.json()["forecast_start"], created.json()["forecast_end"]) == ("2026-07-01", "2026-07-31")
    assert bad.status_code == 400
    assert ProjectPhase.objects.count() == 1


def test_a_vsm_records_a_milestone_completion_and_others_cannot(api_as, vsm, other_vsm, project_epic):
    milestone = MilestoneFactory(epic=project_epic, baseline_date=dt.date(2026, 8, 1))

    denied = api_as(other_vsm).patch(f"/api/milestones/{milestone.id}/", {"completed_on": "2026-08-03"}, format="json")
    allowed = api_as(vsm).patch(
        f"/api/milestones/{milestone.id}/", {"completed_on": "2026-08-03", "forecast_date": "2026-08-03"}, format="json"
    )

    assert denied.status_code == 403
    assert allowed.status_code == 200
    milestone.refresh_from_db()
    assert (milestone.completed_on, milestone.forecast_date) == (dt.date(2026, 8, 3), dt.date(2026, 8, 3))


def test_a_milestone_cannot_name_a_phase_of_another_epic(api_as, vsm, project_epic, value_stream):
    foreign = ProjectPhaseFactory(epic=EpicFactory(value_stream=value_stream))

    response = api_as(vsm).post(
        "/api/milestones/",
        {"epic": project_epic.id, "phase": foreign.id, "name": "M", "baseline_date": "2026-08-01"},
        format="json",
    )

    assert response.status_code == 400
    assert Milestone.objects.count() == 0


def test_a_milestone_stays_with_its_epic(api_as, vsm, project_epic, value_stream):
    milestone = MilestoneFactory(epic=project_epic)
    other = EpicFactory(value_stream=value_stream)

    api_as(vsm).patch(f"/api/milestones/{milestone.id}/", {"epic": other.id}, format="json")

    milestone.refresh_from_db()
    assert milestone.epic_id == project_epic.id


def test_a_director_decides_a_gate_through_the_api(api_as, director, project_epic):
    gate = StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(director).post(
        f"/api/stage-gates/{gate.id}/decide/", {"decision": "approved", "note": "Baseline agreed"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert [(d["decision"], d["note"], d["decided_by"]) for d in body["decisions"]] == [
        ("approved", "Baseline agreed", director.id)
    ]


def test_a_sponsor_who_manages_no_stream_decides_through_the_api(api_as, project_epic):
    sponsor = UserFactory(username="sam_sponsor", roles=["Executive"])
    ProjectPlanFactory(epic=project_epic, sponsor=sponsor)
    gate = StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(sponsor).post(f"/api/stage-gates/{gate.id}/decide/", {"decision": "approved"}, format="json")

    assert response.status_code == 200
    assert StageGate.objects.get(id=gate.id).status == "approved"


@pytest.mark.parametrize("who", ["vsm", "other_vsm", "executive", "program_manager"])
def test_only_directors_and_the_sponsor_decide_gates(request, api_as, who, project_epic):
    gate = StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(request.getfixturevalue(who)).post(
        f"/api/stage-gates/{gate.id}/decide/", {"decision": "approved"}, format="json"
    )

    assert response.status_code == 403
    assert (StageGate.objects.get(id=gate.id).status, StageGateDecision.objects.count()) == ("pending", 0)


@pytest.mark.parametrize("payload", [{}, {"decision": "maybe"}, {"decision": "rejected"}, {"decision": ["approved"]}])
def test_a_bad_decision_is_a_400_and_changes_nothing(api_as, director, project_epic, payload):
    gate = StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(director).post(f"/api/stage-gates/{gate.id}/decide/", payload, format="json")

    assert response.status_code == 400
    assert (StageGate.objects.get(id=gate.id).status, StageGateDecision.objects.count()) == ("pending", 0)


def test_a_gate_status_cannot_be_written_directly(api_as, vsm, project_epic):
    gate = StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(vsm).patch(f"/api/stage-gates/{gate.id}/", {"status": "approved", "name": "Plan"}, format="json")

    assert response.status_code == 200
    gate.refresh_from_db()
    assert (gate.status, gate.name) == ("pending", "Plan")


def test_a_second_gate_with_the_same_key_is_a_400(api_as, vsm, project_epic):
    StageGateFactory(epic=project_epic, key="planning", name="Planning")

    response = api_as(vsm).post(
        "/api/stage-gates/", {"epic": project_epic.id, "key": "planning", "name": "Again"}, format="json"
    )

    assert response.status_code == 400
    assert StageGate.objects.count() == 1


def test_earned_value_endpoint(api_as, executive, project_epic):
    ProjectPlanFactory(epic=project_epic, baseline_budget_cents=10_000_00)
    MilestoneFactory(epic=project_epic, baseline_date=dt.date(2026, 7, 1), completed_on=dt.date(2026, 7, 2))
    MilestoneFactory(epic=project_epic, baseline_date=dt.date(2026, 8, 1))

    body = api_as(executive).get(f"/api/epics/{project_epic.id}/earned-value/?as_of=2026-08-15").json()

    assert body == {
        "epic": project_epic.id,
        "as_of": "2026-08-15",
        "method": "milestones",
        "budget_at_completion": "10000.00",
        "planned_value": "10000.00",
        "earned_value": "5000.00",
        "actual_cost": "0.00",
        "spi": "0.5000",
        "cpi": None,
        "estimate_at_completion": None,
        "rag": "red",
        "baseline_finish": "2026-08-01",
        "forecast_finish": "2026-08-01",
        "slip_days": 0,
    }


def test_earned_value_of_an_epic_without_a_plan_is_a_404_and_a_bad_day_a_400(api_as, executive, project_epic):
    assert api_as(executive).get(f"/api/epics/{project_epic.id}/earned-value/").status_code == 404
    assert api_as(executive).get(f"/api/epics/{project_epic.id}/earned-value/?as_of=2026-13-01").status_code == 400


def test_lists_are_constant_in_queries(api_as, executive, project_epic, django_assert_num_queries):
    for _ in range(3):
        StageGateFactory(epic=project_epic)
        MilestoneFactory(epic=project_epic)
        ProjectPhaseFactory(epic=project_epic)
    client = api_as(executive)
    client.get("/api/stage-gates/")  # warm the session and the user's groups

    with django_assert_num_queries(3):  # count, page, decisions prefetch
        client.get("/api/stage-gates/")
    with django_assert_num_queries(2):
        client.get("/api/milestones/")
    with django_assert_num_queries(2):
        client.get(f"/api/phases/?epic={project_epic.id}")
