"""MVP evaluation: pivot, persevere or stop drives the Kanban through the move service."""

import datetime as dt

import pytest

from kanban.models import Transition
from portfolio.models import EpicState, MMPKind, MMPStatus, MvpEvaluation
from tests.factories import EpicFactory, MMPFactory, SpendFactory, TeamFactory, TeamSprintFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def epic(value_stream):
    return EpicFactory(key="PAY-9", value_stream=value_stream, state=EpicState.IMPLEMENTING)


@pytest.fixture
def mvp(epic):
    return MMPFactory(epic=epic, kind=MMPKind.MVP, status=MMPStatus.RELEASED, released_on=dt.date(2026, 7, 1))


def _body(mvp, decision, result="invalidated"):
    return {
        "mmp": mvp.id,
        "result": result,
        "evidence": "Conversion 2 % vs 10 % hoped",
        "decision": decision,
        "reason": "Customers want instalments",
    }


@pytest.mark.parametrize(
    ("decision", "state"),
    [("pivot", EpicState.ANALYZING), ("stop", EpicState.NOT_PURSUED), ("persevere", EpicState.IMPLEMENTING)],
)
def test_the_decision_moves_the_card(api_as, vsm, epic, mvp, decision, state):
    response = api_as(vsm).post(f"/api/epics/{epic.id}/mvp-evaluation/", _body(mvp, decision), format="json")
    assert response.status_code == 200, response.content
    epic.refresh_from_db()
    assert epic.state == state
    evaluation = MvpEvaluation.objects.get()
    assert (evaluation.decided_by, evaluation.from_state, evaluation.to_state) == (vsm, "implementing", state)
    moves = list(Transition.objects.filter(epic=epic).values_list("to_state", "by"))
    assert moves == ([] if decision == "persevere" else [(state, vsm.id)])


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_may_not_evaluate(request, api_as, epic, mvp, persona):
    user = request.getfixturevalue(persona)
    response = api_as(user).post(f"/api/epics/{epic.id}/mvp-evaluation/", _body(mvp, "pivot"), format="json")
    assert response.status_code == 403
    epic.refresh_from_db()
    assert (epic.state, MvpEvaluation.objects.count(), Transition.objects.count()) == ("implementing", 0, 0)


def test_a_director_evaluates_anywhere(api_as, director, epic, mvp):
    response = api_as(director).post(f"/api/epics/{epic.id}/mvp-evaluation/", _body(mvp, "stop"), format="json")
    assert response.status_code == 200


def test_an_unreleased_mvp_is_not_evaluated(api_as, vsm, epic, mvp):
    mvp.status = MMPStatus.IN_PROGRESS
    mvp.save()
    response = api_as(vsm).post(f"/api/epics/{epic.id}/mvp-evaluation/", _body(mvp, "pivot"), format="json")
    assert response.status_code == 400
    assert "mmp" in response.json()
    epic.refresh_from_db()
    assert (epic.state, MvpEvaluation.objects.count()) == ("implementing", 0)


def test_economics_endpoint(api_as, executive, value_stream, epic, mvp):
    """Estimate 200,000.00; one sprint of 50,000.00 with the MVP's item done (size 2) and another
    item of the epic active (size 2); 10,000.00 of spend tagged: actual 60,000.00, half the size
    done -> forecast 120,000.00, variance -80,000.00."""
    epic.estimated_cost_cents = 20_000_000
    epic.save()
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=5_000_000)
    done = WorkItemFactory(value_stream=value_stream, epic=epic, mmp=mvp, size=2, status="done")
    WorkItemFactory(value_stream=value_stream, epic=epic, size=2, status="active")
    TeamSprintFactory(team=team, items=[done])
    SpendFactory(value_stream=value_stream, epic=epic, amount_cents=1_000_000)
    body = api_as(executive).get(f"/api/epics/{epic.id}/economics/").json()
    assert {k: body[k] for k in ("estimate", "actual", "forecast_at_completion", "variance", "progress")} == {
        "estimate": "200000.00",
        "actual": "60000.00",
        "forecast_at_completion": "120000.00",
        "variance": "-80000.00",
        "progress": 0.5,
    }
    assert (body["planned_benefit"], body["realised_return"], body["planned_return"]) == (None, None, None)
    assert body["releases"] == [
        {
            "id": mvp.id,
            "kind": "mvp",
            "title": mvp.title,
            "status": "released",
            "released_on": "2026-07-01",
            "actual": "50000.00",
        }
    ]
