"""Journey: a value stream manager records a released MVP as invalidated with "pivot"; the epic
returns to analyzing and the portfolio overview lists the decision."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from kanban.models import Transition
from portfolio.models import Epic, MvpEvaluation
from tests.factories import EpicFactory, MMPFactory, ready_epic_fields

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def released_mvp(vsm, value_stream, current_quarter):
    epic = EpicFactory(
        key="PAY-7",
        title="Instant refunds",
        value_stream=value_stream,
        owner=vsm,
        state="implementing",
        **ready_epic_fields(),
    )
    return MMPFactory(epic=epic, kind="mvp", title="Refund button", status="released", released_on=dt.date(2026, 7, 1))


def test_vsm_records_an_invalidated_mvp_and_pivots(page, live_server, login, vsm, released_mvp, console_errors):
    login(vsm.username, "pw")

    page.goto(f"{live_server.url}/kanban/epics/PAY-7/")
    form = page.locator("#mvp-form")
    form.locator("select[name=mmp]").select_option(str(released_mvp.id))
    form.locator("select[name=result]").select_option("invalidated")
    form.locator("textarea[name=evidence]").fill("2 % of customers used it; we needed 15 %")
    form.locator("select[name=decision]").select_option("pivot")
    form.locator("input[name=reason]").fill("Customers want refunds inside the chat")
    form.get_by_role("button", name="Record evaluation").click()

    expect(page.locator("#epic-state")).to_have_text("Analyzing")
    expect(page.locator("#epic-mvp-evaluation")).to_contain_text("Pivot")
    expect(page.locator("#epic-timeline")).to_contain_text("MVP invalidated: pivot.")

    page.goto(f"{live_server.url}/")
    decisions = page.locator("#mvp-decisions")
    expect(decisions).to_contain_text("PAY-7")
    expect(decisions).to_contain_text("Pivot")
    expect(decisions).to_contain_text("Analyzing")

    epic = Epic.objects.get(key="PAY-7")
    assert epic.state == "analyzing"
    assert MvpEvaluation.objects.get().decided_by == vsm
    assert Transition.objects.get(epic=epic).by == vsm
    assert console_errors == []
