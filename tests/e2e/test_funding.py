"""End to end: a director moves money between two value streams and sees headroom and burn update."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from portfolio import roles
from tests.factories import (
    AllocationFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    SpendFactory,
    UserFactory,
    ValueStreamFactory,
)

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are
# still synchronous (CI.md). Set here too so the module also runs without the variable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_director_moves_money_between_two_value_streams(live_server, page):
    # given: a 1,000,000.00 budget fully allocated, 600,000 to Payments and 400,000 to Onboarding,
    # each with 300,000.00 spent
    UserFactory(username="director", roles=[roles.DIRECTOR])
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)
    payments = ValueStreamFactory(name="Payments", slug="payments")
    onboarding = ValueStreamFactory(name="Onboarding", slug="onboarding")
    AllocationFactory(budget=budget, value_stream=payments, amount_cents=600_000_00)
    AllocationFactory(budget=budget, value_stream=onboarding, amount_cents=400_000_00)
    SpendFactory(value_stream=payments, month=dt.date(2026, 7, 1), amount_cents=300_000_00)
    SpendFactory(value_stream=onboarding, month=dt.date(2026, 7, 1), amount_cents=300_000_00)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/funding/?quarter=2026-Q3")
    expect(page.locator("#headroom")).to_have_text("0.00")
    expect(page.locator("#stream-payments .burn-pct")).to_have_text("50%")
    expect(page.locator("#stream-onboarding .burn-pct")).to_have_text("75%")

    # when: 100,000 less for Payments
    page.locator("#stream-payments input[name=amount]").fill("500000.00")
    page.locator("#stream-payments button[type=submit]").click()

    # then: the headroom shows the freed money and Payments burns faster
    expect(page.locator("#headroom")).to_have_text("100,000.00")
    expect(page.locator("#stream-payments .burn-pct")).to_have_text("60%")

    # when: the freed money goes to Onboarding
    page.locator("#stream-onboarding input[name=amount]").fill("500000.00")
    page.locator("#stream-onboarding button[type=submit]").click()

    # then: the budget is fully allocated again and Onboarding's burn drops
    expect(page.locator("#headroom")).to_have_text("0.00")
    expect(page.locator("#stream-onboarding .burn-pct")).to_have_text("60%")
    expect(page.locator("#funding-history")).to_contain_text("Allocation Onboarding")
    # and the page did not reload: the chart's data followed the swap
    assert page.evaluate("JSON.parse(document.getElementById('funding-chart-data').textContent).allocated") == [
        500000,
        500000,
    ]
