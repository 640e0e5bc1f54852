"""End to end: a director optimises a scenario, sees the comparison with WSJF order, commits it."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from funding.models import Allocation, Scenario
from portfolio import roles
from tests.factories import (
    EpicFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    ScenarioFactory,
    UserFactory,
    ValueStreamFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_director_optimises_a_scenario_and_commits_it(live_server, page, console_errors):
    # given: a 1,000,000.00 budget and three epics: A (16 points, 600,000), B and C (13 points,
    # 500,000 each). WSJF order funds A alone; the optimum funds B and C.
    UserFactory(username="director", roles=[roles.DIRECTOR])
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)
    payments = ValueStreamFactory(name="Payments", slug="payments")
    onboarding = ValueStreamFactory(name="Onboarding", slug="onboarding")
    common = {"state": "backlog", "target_quarter": quarter, "job_size": 8, "risk_reduction": 3, "time_criticality": 5}
    EpicFactory(key="A", value_stream=payments, estimated_cost_cents=600_000_00, business_value=8, **common)
    EpicFactory(key="B", value_stream=payments, estimated_cost_cents=500_000_00, business_value=5, **common)
    EpicFactory(key="C", value_stream=onboarding, estimated_cost_cents=500_000_00, business_value=5, **common)
    base = ScenarioFactory(budget=budget, name="Base")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/funding/scenarios/{base.pk}/")

    # when: the director presses "optimise"
    page.locator("#optimise").click()

    # then: a new scenario shows the optimum beside WSJF order, with the binding constraint
    expect(page.locator("h1")).to_contain_text("Base optimised")
    expect(page.locator("#optimum-value")).to_have_text("26")
    expect(page.locator("#wsjf-value")).to_have_text("16")
    expect(page.locator("#optimisation-differences")).to_contain_text("budget")
    expect(page.locator("#shadow-price")).to_contain_text("100,000.00")

    # when: the director commits it as usual
    page.get_by_role("button", name="Commit: make these the allocations").click()
    # and confirms the step that names the allocations it replaces
    expect(page.locator("main")).to_contain_text("replaces 2 allocations")
    page.get_by_role("button", name="Commit: replace 2 allocations").click()

    # then: its amounts are the allocations
    expect(page.locator(".message").first).to_contain_text("Base optimised")
    assert Scenario.objects.get(name="Base optimised").committed_at is not None
    assert dict(Allocation.objects.filter(budget=budget).values_list("value_stream__slug", "amount_cents")) == {
        "payments": 500_000_00,
        "onboarding": 500_000_00,
    }
    assert console_errors == []
