"""The scenario page's "optimise": directors only, a new scenario with the comparison, errors shown."""

import pytest

from funding.models import Scenario
from portfolio.models import EpicState
from tests.factories import EpicFactory, QuarterBudgetFactory


@pytest.fixture
def base(quarter, value_stream):
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)
    scored = {"time_criticality": 5, "risk_reduction": 3, "job_size": 8, "target_quarter": quarter}
    EpicFactory(
        key="A",
        value_stream=value_stream,
        state=EpicState.BACKLOG,
        estimated_cost_cents=600_000_00,
        business_value=8,
        **scored,
    )
    EpicFactory(
        key="B",
        value_stream=value_stream,
        state=EpicState.BACKLOG,
        estimated_cost_cents=500_000_00,
        business_value=5,
        **scored,
    )
    EpicFactory(
        key="C",
        value_stream=value_stream,
        state=EpicState.ANALYZING,
        estimated_cost_cents=500_000_00,
        business_value=5,
        **scored,
    )
    return Scenario.objects.create(budget=budget, name="Base")


def test_director_optimises_and_sees_the_comparison(client, director, base):
    client.force_login(director)
    response = client.post(f"/funding/scenarios/{base.pk}/optimise/", {"pin_out": "C"})
    optimised = Scenario.objects.get(name="Base optimised")
    assert response.status_code == 302
    assert response["Location"] == f"/funding/scenarios/{optimised.pk}/"
    # With C pinned out: A (16) alone beats B (13) alone; both WSJF order and the optimum fund A.
    assert (optimised.optimisation["optimum_value"], optimised.optimisation["wsjf_value"]) == (16, 16)
    page = client.get(response["Location"]).content.decode()
    assert '<strong id="optimum-value">16</strong>' in page
    assert "Both fund the same epics." in page


def test_an_unknown_pinned_key_is_shown_and_nothing_is_written(client, director, base):
    client.force_login(director)
    response = client.post(f"/funding/scenarios/{base.pk}/optimise/", {"pin_in": "NOPE-1"}, follow=True)
    assert "No epic NOPE-1." in response.content.decode()
    assert Scenario.objects.count() == 1


def test_infeasible_pins_name_the_constraint_on_the_page(client, director, base):
    client.force_login(director)
    response = client.post(f"/funding/scenarios/{base.pk}/optimise/", {"pin_in": "A, B"}, follow=True)
    assert "No funded set keeps the budget constraint." in response.content.decode()
    assert Scenario.objects.count() == 1


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_optimise_on_the_page(client, request, persona, base):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/funding/scenarios/{base.pk}/optimise/", {})
    assert response.status_code == 403
    assert Scenario.objects.count() == 1
