"""Project mode on the epic page: a value stream's manager baselines the project, adds phases and
milestones, moves forecasts and records completion; others are refused and see no form."""

import collections
import datetime as dt
import re

import pytest
from django.urls import reverse

from portfolio.models import DeliveryMode, Milestone, ProjectPhase, ProjectPlan, StageGate
from tests.factories import EpicFactory, UserFactory
from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def epic(value_stream):
    value_stream.delivery_mode = DeliveryMode.PROJECT
    value_stream.save()
    return EpicFactory(value_stream=value_stream, state="backlog")


def _post(client, user, name, epic, data, *args):
    client.force_login(user)
    return client.post(reverse(name, args=[epic.key, *args]), data)


def test_a_vsm_sets_up_a_project_from_the_epic_page(client, vsm, epic):
    sponsor = UserFactory(username="sam_sponsor")

    plan_response = _post(
        client,
        vsm,
        "kanban-epic-project-plan",
        epic,
        {"baseline_budget_cents": "250,000.50", "sponsor": sponsor.id, "ev_method": "milestones"},
    )
    phase_response = _post(
        client,
        vsm,
        "kanban-epic-phase-add",
        epic,
        {"name": "Build", "baseline_start": "2026-07-01", "baseline_end": "2026-08-31"},
    )
    phase = ProjectPhase.objects.get(epic=epic)
    milestone_response = _post(
        client,
        vsm,
        "kanban-epic-milestone-add",
        epic,
        {"name": "Code complete", "phase": phase.id, "baseline_date": "2026-08-15", "weight": "3"},
    )
    milestone = Milestone.objects.get(epic=epic)
    done_response = _post(
        client,
        vsm,
        "kanban-epic-milestone-progress",
        epic,
        {"forecast_date": "2026-08-20", "completed_on": "2026-08-18"},
        milestone.id,
    )

    page = f"{reverse('kanban-epic', args=[epic.key])}#epic-project"
    assert [r.status_code for r in (plan_response, phase_response, milestone_response, done_response)] == [302] * 4
    assert done_response["Location"] == page
    plan = ProjectPlan.objects.get(epic=epic)
    assert (plan.baseline_budget_cents, plan.sponsor_id, plan.ev_method) == (25_000_050, sponsor.id, "milestones")
    assert StageGate.objects.filter(epic=epic).count() == 4  # the configured gates, pending
    assert (phase.name, phase.baseline_start, phase.baseline_end, phase.forecast_start, phase.forecast_end) == (
        "Build",
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 31),
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 31),
    )
    milestone.refresh_from_db()
    assert (
        milestone.name,
        milestone.phase_id,
        milestone.baseline_date,
        milestone.forecast_date,
        milestone.completed_on,
        milestone.weight,
    ) == ("Code complete", phase.id, dt.date(2026, 8, 15), dt.date(2026, 8, 20), dt.date(2026, 8, 18), 3)


def test_a_vsm_rebaselines_the_plan_and_moves_a_phase_forecast(client, vsm, epic):
    ProjectPlanFactory(epic=epic, baseline_budget_cents=1_000_00)
    phase = ProjectPhaseFactory(epic=epic, name="Design")

    plan_response = _post(
        client,
        vsm,
        "kanban-epic-project-plan",
        epic,
        {"baseline_budget_cents": "1500", "sponsor": "", "ev_method": "percent_complete"},
    )
    phase_response = _post(
        client,
        vsm,
        "kanban-epic-phase-forecast",
        epic,
        {"forecast_start": "2026-07-08", "forecast_end": "2026-08-14"},
        phase.id,
    )

    assert (plan_response.status_code, phase_response.status_code) == (302, 302)
    plan = ProjectPlan.objects.get(epic=epic)
    assert (plan.baseline_budget_cents, plan.sponsor_id, plan.ev_method) == (1_500_00, None, "percent_complete")
    phase.refresh_from_db()
    assert (phase.baseline_start, phase.baseline_end, phase.forecast_start, phase.forecast_end) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 7, 31),
        dt.date(2026, 7, 8),
        dt.date(2026, 8, 14),
    )


def test_a_negative_budget_shows_the_error_and_writes_nothing(client, vsm, epic):
    response = _post(
        client, vsm, "kanban-epic-project-plan", epic, {"baseline_budget_cents": "-5", "ev_method": "milestones"}
    )

    assert response.status_code == 400
    form = response.context["plan_form"]
    assert list(form.errors) == ["baseline_budget_cents"]
    assert form.errors["baseline_budget_cents"][0] in response.content.decode()
    assert (ProjectPlan.objects.count(), StageGate.objects.count()) == (0, 0)


def test_a_phase_ending_before_it_starts_shows_the_service_error_and_writes_nothing(client, vsm, epic):
    response = _post(
        client,
        vsm,
        "kanban-epic-phase-add",
        epic,
        {"name": "Build", "baseline_start": "2026-08-01", "baseline_end": "2026-07-01"},
    )

    assert response.status_code == 400
    assert response.context["phase_form"].errors == {"baseline_end": ["The end comes before the start."]}
    assert "The end comes before the start." in response.content.decode()
    assert ProjectPhase.objects.count() == 0


def test_a_forecast_ending_before_it_starts_keeps_the_phase(client, vsm, epic):
    phase = ProjectPhaseFactory(epic=epic)

    response = _post(
        client,
        vsm,
        "kanban-epic-phase-forecast",
        epic,
        {"forecast_start": "2026-09-01", "forecast_end": "2026-08-01"},
        phase.id,
    )

    assert response.status_code == 400
    form = response.context["phase_forecast_form"]
    assert (form.row_id, form.errors) == (phase.id, {"forecast_end": ["The end comes before the start."]})
    phase.refresh_from_db()
    assert (phase.forecast_start, phase.forecast_end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))


def test_a_phase_of_another_epic_is_not_a_choice(client, vsm, epic, value_stream):
    elsewhere = ProjectPhaseFactory(epic=EpicFactory(value_stream=value_stream))

    response = _post(
        client,
        vsm,
        "kanban-epic-milestone-add",
        epic,
        {"name": "M", "phase": elsewhere.id, "baseline_date": "2026-08-15", "weight": "1"},
    )

    assert response.status_code == 400
    assert list(response.context["milestone_form"].errors) == ["phase"]
    assert Milestone.objects.count() == 0


@pytest.fixture(params=["executive", "other_vsm"])
def outsider(request, other_value_stream):
    return request.getfixturevalue(request.param)


def test_others_are_refused_and_nothing_changes(client, outsider, epic):
    plan = ProjectPlanFactory(epic=epic, baseline_budget_cents=1_000_00)
    phase = ProjectPhaseFactory(epic=epic)
    milestone = MilestoneFactory(epic=epic)

    responses = [
        _post(
            client,
            outsider,
            "kanban-epic-project-plan",
            epic,
            {"baseline_budget_cents": "9", "ev_method": "milestones"},
        ),
        _post(
            client,
            outsider,
            "kanban-epic-phase-add",
            epic,
            {"name": "X", "baseline_start": "2026-07-01", "baseline_end": "2026-07-02"},
        ),
        _post(
            client,
            outsider,
            "kanban-epic-phase-forecast",
            epic,
            {"forecast_start": "2026-07-02", "forecast_end": "2026-07-03"},
            phase.id,
        ),
        _post(
            client,
            outsider,
            "kanban-epic-milestone-add",
            epic,
            {"name": "Y", "baseline_date": "2026-07-01", "weight": "1"},
        ),
        _post(
            client,
            outsider,
            "kanban-epic-milestone-progress",
            epic,
            {"forecast_date": "2026-07-20", "completed_on": "2026-07-20"},
            milestone.id,
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    plan.refresh_from_db()
    phase.refresh_from_db()
    milestone.refresh_from_db()
    assert plan.baseline_budget_cents == 1_000_00
    assert (ProjectPhase.objects.count(), Milestone.objects.count()) == (1, 1)
    assert (phase.forecast_start, phase.forecast_end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert (milestone.forecast_date, milestone.completed_on) == (dt.date(2026, 7, 15), None)


def test_the_forms_are_shown_to_the_streams_managers_only(client, vsm, outsider, epic):
    ProjectPlanFactory(epic=epic)
    phase = ProjectPhaseFactory(epic=epic)
    milestone = MilestoneFactory(epic=epic)
    url = reverse("kanban-epic", args=[epic.key])
    forms = [
        reverse("kanban-epic-project-plan", args=[epic.key]),
        reverse("kanban-epic-phase-add", args=[epic.key]),
        reverse("kanban-epic-phase-forecast", args=[epic.key, phase.id]),
        reverse("kanban-epic-milestone-add", args=[epic.key]),
        reverse("kanban-epic-milestone-progress", args=[epic.key, milestone.id]),
    ]

    client.force_login(vsm)
    manager_html = client.get(url).content.decode()
    client.force_login(outsider)
    outsider_html = client.get(url).content.decode()

    assert [f'action="{action}"' in manager_html for action in forms] == [True] * 5
    assert [f'action="{action}"' in outsider_html for action in forms] == [False] * 5


def test_the_managers_page_has_no_duplicate_element_ids(client, vsm, epic):
    # Several forms share field names (name, forecast dates); their ids must not collide.
    ProjectPlanFactory(epic=epic)
    ProjectPhaseFactory(epic=epic)
    MilestoneFactory(epic=epic)
    client.force_login(vsm)

    html = client.get(reverse("kanban-epic", args=[epic.key])).content.decode()

    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
