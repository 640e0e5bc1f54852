"""Journey: a project-mode epic cannot enter implementing before its planning gate; a director
approves the gate on the epic page (with a note, recorded) and then moves the epic."""

import pytest
from playwright.sync_api import expect

from kanban.models import Transition
from portfolio.models import DeliveryMode, Epic, StageGateDecision
from tests.factories import AllocationFactory, EpicFactory, GuardrailFactory, QuarterBudgetFactory, ready_epic_fields
from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory, StageGateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project(vsm, value_stream, current_quarter):
    value_stream.delivery_mode = DeliveryMode.PROJECT
    value_stream.save()
    budget = QuarterBudgetFactory(quarter=current_quarter)
    GuardrailFactory(budget=budget, approval_threshold_cents=1_000_000_00)
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=500_000_00)
    epic = EpicFactory(
        key="OPS-1",
        title="Ledger migration",
        value_stream=value_stream,
        owner=vsm,
        state="backlog",
        target_quarter=current_quarter,
        **ready_epic_fields(),
    )
    ProjectPlanFactory(epic=epic, baseline_budget_cents=500_000_00)
    StageGateFactory(epic=epic, key="initiation", name="Initiation", position=0, status="approved")
    StageGateFactory(epic=epic, key="planning", name="Planning", position=1)
    phase = ProjectPhaseFactory(
        epic=epic, name="Planning", baseline_start=current_quarter.start, baseline_end=current_quarter.end
    )
    MilestoneFactory(epic=epic, phase=phase, name="Plan baselined", baseline_date=current_quarter.start)
    return epic


def test_director_approves_the_planning_gate_and_moves_the_project(
    page, live_server, login, director, project, console_errors
):
    login(director.username, "pw")
    page.goto(f"{live_server.url}/kanban/epics/OPS-1/")
    expect(page.locator("#project-timeline svg")).to_be_visible()
    expect(page.locator("#gate-planning")).to_contain_text("Pending")

    # Before the gate: the move is refused with the reason.
    move = page.locator("#epic-move form")
    move.locator("select[name=to_state]").select_option("implementing")
    move.get_by_role("button", name="Move").click()
    expect(page.locator("#board-errors")).to_contain_text("Planning gate is approved")

    page.goto(f"{live_server.url}/kanban/epics/OPS-1/")
    gate = page.locator("#gate-planning")
    gate.get_by_label("Note on the Planning gate").fill("Plan and baseline reviewed")
    gate.get_by_role("button", name="Approve Planning").click()
    expect(page.locator("#gate-planning")).to_contain_text("Approved by dora_director")
    expect(page.locator("#gate-planning")).to_contain_text("Plan and baseline reviewed")

    move = page.locator("#epic-move form")
    move.locator("select[name=to_state]").select_option("implementing")
    move.get_by_role("button", name="Move").click()
    expect(page.locator("#epic-state")).to_have_text("Implementing")

    epic = Epic.objects.get(key="OPS-1")
    assert epic.state == "implementing"
    assert StageGateDecision.objects.get().decided_by == director
    assert Transition.objects.get(epic=epic).to_state == "implementing"
    # The refused move answered 400 on purpose (the browser logs that); nothing else went wrong.
    assert [error for error in console_errors if "status of 400" not in error] == []
