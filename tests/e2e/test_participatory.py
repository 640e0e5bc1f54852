"""End to end: two participants at one table pledge to the same epic and each sees it funded
(the board polls); the director closes the session and commits the outcome as a scenario."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from funding import services
from funding.models import Allocation
from portfolio import roles
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    UserFactory,
    ValueStreamFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_two_participants_fund_an_epic_and_the_director_commits_the_outcome(live_server, page, browser):
    # given: 200.00 in play for two participants at one table, an epic of 150.00
    director = UserFactory(username="director", roles=[roles.DIRECTOR])
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    quarter = QuarterFactory(code="2026-Q3")
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_00)
    payments = ValueStreamFactory(name="Payments", slug="payments")
    AllocationFactory(budget=budget, value_stream=payments, amount_cents=500_00)
    EpicFactory(key="PAY-7", value_stream=payments, state="backlog", estimated_cost_cents=150_00)
    session = services.pb_session_create(
        user=director,
        budget=budget,
        name="Q3 game",
        money_cents=200_00,
        epic_ids=list(payments.epics.values_list("pk", flat=True)),
        tables={"Table A": [alice.pk, bob.pk]},
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    url = f"{live_server.url}/funding/participatory/{session.pk}/"
    bob_context = browser.new_context()
    bob_page = bob_context.new_page()
    _login(page, live_server, "alice")
    _login(bob_page, live_server, "bob")
    page.goto(url)
    bob_page.goto(url)

    # when: Alice pledges 100.00, then Bob 50.00
    page.get_by_label("Pledge to PAY-7").fill("100.00")
    page.locator("#pb-offer-PAY-7 button[type=submit]").click()
    expect(page.locator("#pb-offer-PAY-7 .pooled")).to_have_text("100.00")
    expect(bob_page.locator("#pb-offer-PAY-7 .pooled")).to_have_text("100.00")  # by polling, no reload
    bob_page.get_by_label("Pledge to PAY-7").fill("50.00")
    bob_page.locator("#pb-offer-PAY-7 button[type=submit]").click()

    # then: both see it funded (Alice without reloading)
    expect(bob_page.locator("#pb-offer-PAY-7 .pb-status")).to_have_text("Funded")
    expect(page.locator("#pb-offer-PAY-7 .pb-status")).to_have_text("Funded")
    bob_context.close()

    # when: the director closes the session and commits its scenario
    page.context.clear_cookies()
    _login(page, live_server, "director")
    page.goto(url)
    page.get_by_role("button", name="Close the session").click()
    expect(page.locator("#pb-outcome")).to_contain_text("Table A: PAY-7")
    page.get_by_role("button", name="Turn the outcome into a scenario").click()
    page.get_by_role("button", name="Commit").click()
    # and confirms the step that names the allocations the commit replaces
    page.locator("#confirm-form button[type=submit]").click()

    # then: Payments gets its allocation plus the funded epic
    expect(page.locator("#stream-payments").get_by_label("Allocation for Payments (EUR)")).to_have_value("650.00")
    assert Allocation.objects.get(value_stream=payments).amount_cents == 650_00
