"""Journey: a value stream manager scores an epic, drags it from the funnel to reviewing,
reloads, and finds it there, ranked by WSJF."""

import pytest
from playwright.sync_api import expect

from tests.factories import EpicFactory, ready_epic_fields

# live_server needs committed rows (transactional).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kanban_data(vsm, value_stream):
    unscored = {"business_value": None, "time_criticality": None, "risk_reduction": None, "job_size": None}
    EpicFactory(
        key="PAY-1", title="Request to pay", value_stream=value_stream, owner=vsm, **ready_epic_fields(**unscored)
    )
    EpicFactory(
        key="PAY-2",
        title="Card controls",
        value_stream=value_stream,
        owner=vsm,
        state="reviewing",
        **ready_epic_fields(business_value=1, time_criticality=1, risk_reduction=1, job_size=3),
    )
    EpicFactory(
        key="PAY-3",
        title="Chat support",
        value_stream=value_stream,
        owner=vsm,
        state="reviewing",
        **ready_epic_fields(**unscored),
    )
    return value_stream


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    expect(page.locator("header")).to_contain_text(username)


def _drag(page, source, target):
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + 15, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 10, steps=15)
    page.mouse.up()


def test_vsm_scores_an_epic_and_drags_it_to_reviewing(page, live_server, vsm, kanban_data):
    _log_in(page, live_server, vsm.username)

    page.goto(f"{live_server.url}/kanban/scoring/?value_stream={kanban_data.id}")
    for name, value in (("business_value", "8"), ("time_criticality", "5"), ("risk_reduction", "3"), ("job_size", "5")):
        with page.expect_response(lambda r: r.url.endswith("/kanban/epics/PAY-1/score/")):
            page.select_option(f"#score-row-PAY-1 select[name={name}]", value)
        # The response re-renders the whole ranking: wait until htmx has swapped it in, or the
        # next choice lands on the outgoing table and is lost with it.
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        expect(page.locator(f"#score-row-PAY-1 select[name={name}]")).to_have_value(value)
    expect(page.locator("#score-row-PAY-1 .wsjf")).to_have_text("3.20")

    page.goto(f"{live_server.url}/kanban/")
    expect(page.locator("#board[data-ready=true]")).to_be_attached()
    _drag(page, page.locator("#card-PAY-1"), page.locator("#column-reviewing ol.kanban-cards"))
    expect(page.locator("#board-moved")).to_have_text("PAY-1 moved.")

    page.reload()
    reviewing = page.locator("#column-reviewing .kanban-card")
    expect(reviewing).to_have_count(3)
    keys = [reviewing.nth(i).get_attribute("id") for i in range(3)]
    assert keys == ["card-PAY-1", "card-PAY-2", "card-PAY-3"]
    expect(page.locator("#card-PAY-1 .wsjf")).to_have_text("WSJF 3.20")
    expect(page.locator("#column-funnel .kanban-card")).to_have_count(0)


def test_vsm_moves_a_card_with_the_keyboard_through_the_board_dialog(page, live_server, vsm, kanban_data):
    _log_in(page, live_server, vsm.username)
    page.goto(f"{live_server.url}/kanban/")

    page.locator("#card-PAY-2").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("option[value=reviewing]")).to_be_disabled()  # where it already is
    dialog.locator("select[name=to_state]").select_option("funnel")
    dialog.locator("input[name=reason]").fill("needs a new case")
    dialog.get_by_role("button", name="Move").click()

    expect(page.locator("#column-funnel #card-PAY-2")).to_be_attached()
    expect(page.locator("#column-reviewing .kanban-card")).to_have_count(1)
