"""The confirm step before a scenario commit and a budget close: a page rendered by the server
that names what will change; nothing changes until the confirmed POST."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import Allocation, BudgetStatus, QuarterBudget, Scenario, ScenarioLine
from tests.factories import AllocationFactory, QuarterBudgetFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)


@pytest.fixture
def streams(value_stream, other_value_stream):
    """Payments 100.00 -> 300.00, Onboarding 200.00 (unchanged), Lending none -> 50.00, Risk none -> 0."""
    lending = ValueStreamFactory(name="Lending", slug="lending")
    risk = ValueStreamFactory(name="Risk", slug="risk")
    return {"payments": value_stream, "onboarding": other_value_stream, "lending": lending, "risk": risk}


@pytest.fixture
def scenario(budget, streams):
    AllocationFactory(budget=budget, value_stream=streams["payments"], amount_cents=100_00)
    AllocationFactory(budget=budget, value_stream=streams["onboarding"], amount_cents=200_00)
    scenario = Scenario.objects.create(budget=budget, name="Bolder")
    for slug, cents in (("payments", 300_00), ("onboarding", 200_00), ("lending", 50_00), ("risk", 0)):
        ScenarioLine.objects.create(scenario=scenario, value_stream=streams[slug], amount_cents=cents)
    return scenario


def _allocations():
    return dict(Allocation.objects.values_list("value_stream__slug", "amount_cents"))


def _rows(html: str) -> list[tuple[str, ...]]:
    table = html.split('id="confirm-changes"', 1)[1].split("</table>", 1)[0]
    rows = [tuple(re.findall(r"<td[^>]*>([^<]*)</td>", row)) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return [row for row in rows if row]  # the header row has no <td>


def test_the_commit_page_names_every_allocation_it_replaces(client, director, scenario):
    client.force_login(director)

    response = client.get(f"/funding/scenarios/{scenario.id}/commit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Committing replaces 2 allocations in 2026-Q3:" in html
    assert _rows(html) == [("Lending", "none", "50.00"), ("Payments", "100.00", "300.00")]
    assert 'name="confirmed" value="1"' in html
    assert "confirm(" not in html
    assert _allocations() == {"payments": 100_00, "onboarding": 200_00}


def test_the_old_one_step_post_shows_the_confirm_page_and_changes_nothing(client, director, scenario):
    client.force_login(director)

    response = client.post(f"/funding/scenarios/{scenario.id}/commit/", {"reason": "Go bold"})

    assert response.status_code == 200
    assert 'value="Go bold"' in response.content.decode()  # the reason is carried to the confirm step
    assert _allocations() == {"payments": 100_00, "onboarding": 200_00}
    assert Scenario.objects.get().committed_at is None


def test_the_confirmed_commit_replaces_them_and_says_so(client, director, scenario):
    client.force_login(director)

    response = client.post(
        f"/funding/scenarios/{scenario.id}/commit/", {"reason": "Go bold", "confirmed": "1"}, follow=True
    )

    assert response.redirect_chain == [("/funding/?quarter=2026-Q3", 302)]
    assert "Scenario Bolder is now the allocations of 2026-Q3." in response.content.decode()
    assert _allocations() == {"payments": 300_00, "onboarding": 200_00, "lending": 50_00}


def test_a_scenario_matching_today_says_nothing_changes(client, director, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    scenario = Scenario.objects.create(budget=budget, name="Same")
    ScenarioLine.objects.create(scenario=scenario, value_stream=value_stream, amount_cents=100_00)
    client.force_login(director)

    html = client.get(f"/funding/scenarios/{scenario.id}/commit/").content.decode()

    assert "Committing changes no allocation in 2026-Q3" in html


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_reach_the_commit_step(client, request, persona, scenario):
    client.force_login(request.getfixturevalue(persona))

    opened = client.get(f"/funding/scenarios/{scenario.id}/commit/")
    confirmed = client.post(f"/funding/scenarios/{scenario.id}/commit/", {"confirmed": "1"})

    assert (opened.status_code, confirmed.status_code) == (403, 403)
    assert _allocations() == {"payments": 100_00, "onboarding": 200_00}


def test_the_commit_page_costs_the_same_queries_for_2_and_12_lines(client, director, budget):
    scenario = Scenario.objects.create(budget=budget, name="Many")
    client.force_login(director)

    def add(n):
        for _ in range(n):
            ScenarioLine.objects.create(scenario=scenario, value_stream=ValueStreamFactory(), amount_cents=1_00)

    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/funding/scenarios/{scenario.id}/commit/")
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/funding/scenarios/{scenario.id}/commit/")

    assert len(many.captured_queries) == len(few.captured_queries)


# --- closing a budget ------------------------------------------------------------------------------


@pytest.fixture
def approved(budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=400_000_00)
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=250_000_00)
    QuarterBudget.objects.filter(pk=budget.pk).update(status=BudgetStatus.APPROVED)
    return budget


def test_the_funding_page_links_the_close_step_instead_of_a_js_confirm(client, director, approved):
    client.force_login(director)

    html = client.get("/funding/?quarter=2026-Q3").content.decode()

    assert f'href="/funding/budgets/{approved.id}/close/"' in html
    assert "hx-confirm" not in html


def test_the_close_page_names_the_total_and_every_allocation_that_freezes(client, director, approved):
    client.force_login(director)

    response = client.get(f"/funding/budgets/{approved.id}/close/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Closing freezes the budget of 2026-Q3: its total of 1,000,000.00 and these 2 allocations" in html
    assert _rows(html) == [("Onboarding", "250,000.00", "250,000.00"), ("Payments", "400,000.00", "400,000.00")]
    assert QuarterBudget.objects.get().status == BudgetStatus.APPROVED


def test_an_unconfirmed_close_post_changes_nothing(client, director, approved):
    client.force_login(director)

    response = client.post(f"/funding/budgets/{approved.id}/close/")

    assert response.status_code == 200
    assert QuarterBudget.objects.get().status == BudgetStatus.APPROVED


def test_the_confirmed_close_freezes_the_budget_and_says_so(client, director, approved):
    client.force_login(director)

    response = client.post(f"/funding/budgets/{approved.id}/close/", {"confirmed": "1"}, follow=True)

    assert response.redirect_chain == [("/funding/?quarter=2026-Q3", 302)]
    assert "The budget of 2026-Q3 is closed; its figures are frozen." in response.content.decode()
    assert QuarterBudget.objects.get().status == BudgetStatus.CLOSED


def test_closing_a_draft_budget_is_a_409_with_the_reason(client, director, budget):
    client.force_login(director)

    response = client.post(f"/funding/budgets/{budget.id}/close/", {"confirmed": "1"})

    assert response.status_code == 409
    assert "Only an approved budget can be closed; this one is draft." in response.content.decode()
    assert QuarterBudget.objects.get().status == BudgetStatus.DRAFT


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_reach_the_close_step(client, request, persona, approved):
    client.force_login(request.getfixturevalue(persona))

    opened = client.get(f"/funding/budgets/{approved.id}/close/")
    confirmed = client.post(f"/funding/budgets/{approved.id}/close/", {"confirmed": "1"})

    assert (opened.status_code, confirmed.status_code) == (403, 403)
    assert QuarterBudget.objects.get().status == BudgetStatus.APPROVED
