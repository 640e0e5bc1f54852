"""End to end: a value stream manager checks in on a key result and sees its grade and band change."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import KeyResultFactory, ObjectiveFactory, QuarterFactory

pytestmark = pytest.mark.e2e


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_vsm_checks_in_and_sees_grade_and_band_change(live_server, page, vsm, value_stream):
    quarter = QuarterFactory(code="2026-Q3")
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream, title="Faster payouts")
    kr = KeyResultFactory(objective=objective, title="Instant payouts share", baseline=0, target=200, current=40)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", vsm.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/okrs/?quarter=2026-Q3")

    row = page.locator(f"#kr-{kr.id}")
    expect(row.locator(".kr-grade")).to_have_text("20%")
    expect(row.locator(".kr-band")).to_have_text("Off track")
    row.get_by_role("button", name="Check in").click()
    dialog = page.locator("#check-in-dialog")
    dialog.locator("input[name=value]").fill("150")
    dialog.locator("input[name=confidence]").fill("8")
    dialog.get_by_role("button", name="Save check-in").click()

    row = page.locator(f"#kr-{kr.id}")
    expect(row.locator(".kr-grade")).to_have_text("75%")
    expect(row.locator(".kr-band")).to_have_text("On track")
    expect(row.locator(".kr-confidence")).to_have_text("8/10")
    expect(page.locator(f"#objective-score-{objective.id}")).to_contain_text("75%")
    assert page.url == f"{live_server.url}/okrs/?quarter=2026-Q3"  # swapped in place by htmx
