"""Journey (issue 20): a program manager runs a VMO sync from its generated agenda, escalates an
impediment, and the executive sees it on the overview."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portfolio.models import Quarter
from vmo.models_people import Impediment

pytestmark = pytest.mark.e2e

IMPEDIMENT = "No budget for load-testing tools"  # open, not escalated in the demo


def test_program_manager_runs_a_vmo_sync_and_the_executive_sees_the_escalation(
    demo_data, login, page, live_server, console_errors
):
    current = Quarter.objects.order_by("start")[1]
    open_count = Impediment.objects.filter(resolved_on__isnull=True).count()

    # The program manager opens a VMO sync: its agenda is generated from live data
    login("pm")
    page.goto(f"{live_server.url}/vmo/planning/")
    page.locator("summary", has_text="New planning event").click()
    form = page.locator("form[method='post'][action='/vmo/planning/']")
    form.locator("select[name='kind']").select_option("vmo_sync")
    form.locator("select[name='quarter']").select_option(str(current.id))
    form.locator("input[name='title']").fill("Weekly VMO sync")
    form.locator("input[name='date']").fill(timezone.localdate().isoformat())
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_have_text("Weekly VMO sync")
    agenda = page.locator(".agenda-item")
    expect(agenda.filter(has_text=f"Open impediments: {open_count}")).to_have_count(1)
    expect(agenda.filter(has_text=IMPEDIMENT)).to_have_count(1)

    # ... works through it (ticks the first line) ...
    first = agenda.first
    first.get_by_role("button", name="Mark done").click()
    expect(first.get_by_role("button", name="Mark not done")).to_be_visible()

    # ... and escalates an impediment to the executive action team
    row = page.locator("#sync-impediments tr", has_text=IMPEDIMENT)
    row.get_by_role("button", name=f"Escalate {IMPEDIMENT}").click()
    expect(page.locator("#messages")).to_contain_text("Escalated to the executive action team")
    assert Impediment.objects.get(title=IMPEDIMENT).escalated_to is not None

    # The executive sees it on the overview
    page.context.clear_cookies()
    login("executive")
    expect(page.locator("#escalated-impediments")).to_contain_text(IMPEDIMENT)
    assert console_errors == []
