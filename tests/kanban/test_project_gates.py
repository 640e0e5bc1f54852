"""Project mode on the Kanban: the planning gate before implementing (move service, API, board),
and stage-gate decisions on the epic page (director or sponsor only)."""

import pytest
from django.urls import reverse

from kanban.models import Transition
from kanban.services import MoveRefused, epic_move
from portfolio.models import DeliveryMode, Epic, GateDecision, StageGate, StageGateDecision
from tests.factories import EpicFactory, UserFactory, ready_epic_fields
from tests.factories_project import ProjectPlanFactory, StageGateDecisionFactory, StageGateFactory

pytestmark = pytest.mark.django_db

NOT_APPROVED = (
    "A project-mode epic enters implementing once its Planning gate is approved (it is pending): "
    "a VMO director or the sponsor approves it."
)


@pytest.fixture
def project_stream(value_stream):
    value_stream.delivery_mode = DeliveryMode.PROJECT
    value_stream.save()
    return value_stream


def _project(stream, quarter, vsm, *, gate_status="pending", **fields):
    epic = EpicFactory(
        value_stream=stream, state="backlog", owner=vsm, target_quarter=quarter, **ready_epic_fields(**fields)
    )
    ProjectPlanFactory(epic=epic, sponsor=None)
    StageGateFactory(epic=epic, key="initiation", name="Initiation", position=0, status="approved")
    StageGateFactory(epic=epic, key="planning", name="Planning", position=1, status=gate_status)
    return epic


def test_a_project_epic_without_its_planning_gate_approved_stays_in_the_backlog(
    funding_room_for_one, vsm, project_stream
):
    epic = _project(project_stream, funding_room_for_one, vsm)

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert caught.value.conditions == [NOT_APPROVED]
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("backlog", 1)
    assert Transition.objects.count() == 0


def test_a_rejected_planning_gate_refuses_too(funding_room_for_one, vsm, project_stream):
    epic = _project(project_stream, funding_room_for_one, vsm, gate_status="rejected")

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert caught.value.conditions == [NOT_APPROVED.replace("(it is pending)", "(it is rejected)")]
    assert Epic.objects.get(id=epic.id).state == "backlog"


def test_a_project_epic_without_gates_is_refused_with_the_reason(funding_room_for_one, vsm, project_stream):
    epic = EpicFactory(
        value_stream=project_stream,
        state="backlog",
        owner=vsm,
        target_quarter=funding_room_for_one,
        **ready_epic_fields(),
    )

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert caught.value.conditions == [
        "A project-mode epic enters implementing once its planning gate is approved; it has no planning gate yet."
    ]
    assert Epic.objects.get(id=epic.id).state == "backlog"


def test_with_its_planning_gate_approved_a_project_epic_moves_to_implementing(
    funding_room_for_one, vsm, project_stream
):
    epic = _project(project_stream, funding_room_for_one, vsm, gate_status="approved")

    epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert Epic.objects.get(id=epic.id).state == "implementing"


def test_an_agile_epic_in_a_project_stream_needs_no_gate(funding_room_for_one, vsm, project_stream):
    epic = EpicFactory(
        value_stream=project_stream,
        state="backlog",
        owner=vsm,
        target_quarter=funding_room_for_one,
        delivery_mode=DeliveryMode.AGILE,
        **ready_epic_fields(),
    )

    epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert Epic.objects.get(id=epic.id).state == "implementing"


def test_a_project_epic_in_an_agile_stream_needs_its_gate(funding_room_for_one, vsm, value_stream):
    epic = _project(value_stream, funding_room_for_one, vsm, delivery_mode=DeliveryMode.PROJECT)

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert caught.value.conditions == [NOT_APPROVED]


def test_the_gate_setting_names_the_gate(settings, funding_room_for_one, vsm, project_stream):
    settings.PROJECT_IMPLEMENTING_GATE = "initiation"  # approved in _project
    epic = _project(project_stream, funding_room_for_one, vsm)

    epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert Epic.objects.get(id=epic.id).state == "implementing"


def test_the_api_answers_400_with_the_gate_condition_and_changes_nothing(
    api_as, funding_room_for_one, vsm, project_stream
):
    epic = _project(project_stream, funding_room_for_one, vsm)

    response = api_as(vsm).post(
        f"/api/epics/{epic.id}/move/", {"to_state": "implementing", "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert NOT_APPROVED in str(response.json())
    assert (Epic.objects.get(id=epic.id).state, Transition.objects.count()) == ("backlog", 0)


def test_the_board_shows_the_gate_condition(client, funding_room_for_one, vsm, project_stream):
    epic = _project(project_stream, funding_room_for_one, vsm)
    client.force_login(vsm)

    response = client.post(
        reverse("kanban-epic-move", args=[epic.key]),
        {"to_state": "implementing", "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert NOT_APPROVED in response.content.decode()
    assert Epic.objects.get(id=epic.id).state == "backlog"


# --- deciding gates on the epic page ------------------------------------------------------------


def _gate_post(client, user, epic, gate, decision="approved", note="Plan reviewed"):
    client.force_login(user)
    return client.post(reverse("kanban-epic-gate", args=[epic.key, gate.id]), {"decision": decision, "note": note})


def test_a_director_approves_a_gate_with_a_record(client, director, funding_room_for_one, vsm, project_stream):
    epic = _project(project_stream, funding_room_for_one, vsm)
    gate = StageGate.objects.get(epic=epic, key="planning")

    response = _gate_post(client, director, epic, gate)

    assert response.status_code == 302
    gate.refresh_from_db()
    assert gate.status == "approved"
    assert list(StageGateDecision.objects.values_list("gate_id", "decision", "note", "decided_by_id")) == [
        (gate.id, "approved", "Plan reviewed", director.id)
    ]


def test_the_sponsor_decides_the_gates_of_their_project(client, funding_room_for_one, vsm, project_stream):
    sponsor = UserFactory(username="sam_sponsor", roles=["Executive"])
    epic = _project(project_stream, funding_room_for_one, vsm)
    epic.project.sponsor = sponsor
    epic.project.save()
    gate = StageGate.objects.get(epic=epic, key="planning")

    _gate_post(client, sponsor, epic, gate, decision="rejected", note="Scope unclear")

    gate.refresh_from_db()
    assert gate.status == "rejected"
    assert StageGateDecision.objects.get().decided_by_id == sponsor.id


@pytest.mark.parametrize("who", ["vsm", "executive", "other_vsm"])
def test_nobody_else_decides_a_gate_and_nothing_changes(
    request, client, who, funding_room_for_one, vsm, project_stream
):
    epic = _project(project_stream, funding_room_for_one, vsm)
    gate = StageGate.objects.get(epic=epic, key="planning")

    response = _gate_post(client, request.getfixturevalue(who), epic, gate)

    assert response.status_code == 403
    gate.refresh_from_db()
    assert (gate.status, StageGateDecision.objects.count()) == ("pending", 0)


def test_a_rejection_needs_a_note(client, director, funding_room_for_one, vsm, project_stream):
    epic = _project(project_stream, funding_room_for_one, vsm)
    gate = StageGate.objects.get(epic=epic, key="planning")

    _gate_post(client, director, epic, gate, decision="rejected", note="")

    gate.refresh_from_db()
    assert (gate.status, StageGateDecision.objects.count()) == ("pending", 0)


def test_the_epic_page_shows_earned_value_timeline_and_gates_in_constant_queries(
    client, director, funding_room_for_one, vsm, project_stream
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories_project import MilestoneFactory, ProjectPhaseFactory

    epic = _project(project_stream, funding_room_for_one, vsm)
    gate = StageGate.objects.get(epic=epic, key="planning")
    StageGateDecisionFactory(gate=gate, decision=GateDecision.REJECTED, decided_by=director, note="Too vague")
    ProjectPhaseFactory(epic=epic, name="Design")
    MilestoneFactory(epic=epic, name="Design signed off")
    client.force_login(director)
    url = reverse("kanban-epic", args=[epic.key])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        ProjectPhaseFactory(epic=epic)
        MilestoneFactory(epic=epic)
        StageGateDecisionFactory(gate=StageGateFactory(epic=epic, position=5 + n), decided_by=director)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="project-evm"' in html and 'id="project-timeline"' in html and 'id="gate-planning"' in html
    assert "Rejected by dora_director" in html and "Too vague" in html
    assert "Approve Planning" in html
