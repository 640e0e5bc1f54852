"""Each rule the README states is held by the API too: a client that tries the bypass (a plain
PATCH of a field that only a dedicated action may change) changes nothing."""

from decimal import Decimal

import pytest

from kanban.models import Transition
from okrs.models import CheckIn, KeyResult
from portfolio.models import Epic
from tests.factories import CheckInFactory, EpicFactory, KeyResultFactory, ObjectiveFactory, QuarterBudgetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_result(quarter, value_stream):
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream)
    return KeyResultFactory(objective=objective, baseline=0, target=10, current=1)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_key_results_current_changes_only_through_a_check_in(api_as, vsm, key_result, method):
    # README: "append-only check-ins"; the KR's current follows them.
    client = api_as(vsm)
    body = {"objective": key_result.objective_id, "title": key_result.title, "baseline": "0", "target": "10"}

    response = getattr(client, method)(f"/api/key-results/{key_result.id}/", {**body, "current": "999"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"current": ["Changes only through a check-in (POST key-results/{id}/check-ins/)."]}
    key_result.refresh_from_db()
    assert key_result.current == Decimal(1)
    assert CheckIn.objects.count() == 0


def test_a_key_results_confidence_changes_only_through_a_check_in(api_as, vsm, key_result):
    response = api_as(vsm).patch(f"/api/key-results/{key_result.id}/", {"confidence": 9}, format="json")

    assert response.status_code == 400
    assert KeyResult.objects.get(id=key_result.id).confidence == key_result.confidence


def test_a_check_in_moves_current(api_as, vsm, key_result):
    response = api_as(vsm).post(
        f"/api/key-results/{key_result.id}/check-ins/", {"value": "4", "confidence": 6}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert KeyResult.objects.get(id=key_result.id).current == Decimal(4)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_check_ins_are_append_only(api_as, vsm, key_result, method):
    check_in = CheckInFactory(key_result=key_result, value=3, confidence=5)

    response = getattr(api_as(vsm), method)(
        f"/api/key-results/{key_result.id}/check-ins/", {"value": "8", "confidence": 1}, format="json"
    )

    assert response.status_code == 405
    check_in.refresh_from_db()
    assert (check_in.value, check_in.confidence, CheckIn.objects.count()) == (Decimal(3), 5, 1)


def test_an_epics_state_and_version_change_only_through_a_move(api_as, vsm, value_stream):
    # README: "One move service for page and API enforces the entry policies ... writes a
    # Transition and bumps version".
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).patch(
        f"/api/epics/{epic.id}/", {"state": "done", "version": 41, "title": "Renamed"}, format="json"
    )

    assert response.status_code == 200, response.json()
    row = Epic.objects.get(id=epic.id)
    assert (row.state, row.version, row.title) == ("funnel", epic.version, "Renamed")
    assert Transition.objects.count() == 0


def test_wsjf_and_cost_of_delay_are_computed_not_written(api_as, vsm, value_stream):
    # README: "cost of delay and WSJF are generated columns, so the database ranks".
    epic = EpicFactory(value_stream=value_stream, business_value=8, time_criticality=5, risk_reduction=3, job_size=8)

    response = api_as(vsm).patch(f"/api/epics/{epic.id}/", {"wsjf": 99, "cost_of_delay": 99}, format="json")

    assert response.status_code == 200
    assert (response.json()["cost_of_delay"], response.json()["wsjf"]) == (16, 2.0)


def test_a_budgets_status_changes_only_through_its_actions(api_as, director, quarter):
    # README: "revisions with a reason once approved, frozen once closed": approval is an action.
    budget = QuarterBudgetFactory(quarter=quarter)

    response = api_as(director).patch(f"/api/budgets/{budget.id}/", {"status": "closed"}, format="json")

    assert response.status_code == 200
    budget.refresh_from_db()
    assert budget.status == "draft"
