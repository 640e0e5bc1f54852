"""The demo's project-mode stream: a project on track and a late one (SPI < 1), with phases,
milestones, gates and a baseline; every project-mode epic past the backlog passed planning."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from funding.selectors.earned_value import epic_earned_value
from kanban.services import entry_conditions
from portfolio.models import DeliveryMode, Epic, EpicState, GateStatus, ProjectPlan, StageGate, StageGateDecision

pytestmark = pytest.mark.django_db


def test_core_ops_has_a_project_on_track_and_a_late_one_and_gates_are_passed():
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()

    plans = list(ProjectPlan.objects.filter(epic__value_stream__slug="core-ops").order_by("epic__key"))
    assert len(plans) == 2
    on_track, late = (epic_earned_value(epic_id=plan.epic_id, as_of=today) for plan in plans)
    assert on_track.spi == 1 and on_track.rag == "green"
    assert (late.spi, late.rag, late.slip_days) == (Decimal("0.3333"), "red", 50)
    for plan in plans:
        assert (plan.epic.phases.count(), plan.epic.stage_gates.count()) == (4, 4)
        assert plan.epic.milestones.exists()

    passed = Epic.objects.in_delivery_mode(DeliveryMode.PROJECT).filter(
        state__in=[EpicState.IMPLEMENTING, EpicState.DONE]
    )
    assert passed.count() > 0
    assert StageGate.objects.filter(epic__in=passed, key="planning", status=GateStatus.APPROVED).count() == (
        passed.count()
    )
    approved = StageGate.objects.filter(status=GateStatus.APPROVED).count()
    assert StageGateDecision.objects.count() == approved
    waiting = Epic.objects.in_delivery_mode(DeliveryMode.PROJECT).filter(state=EpicState.BACKLOG).first()
    assert waiting is not None
    assert any("Planning gate is approved" in c for c in entry_conditions(epic=waiting, to_state="implementing"))
