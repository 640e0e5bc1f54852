"""Journey: a value stream manager scores an epic, drags it from the funnel to reviewing,
reloads, and finds it there, ranked by WSJF."""

import pytest
from playwright.sync_api import expect

from portfolio.models import Epic
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


def test_four_quick_scoring_choices_are_all_kept(page, live_server, vsm, kanban_data):
    """Issue 15 point 7: choices 100 ms apart, across two rows, while earlier answers are still in
    flight: every one is saved and shown (the whole-table swap used to lose 2 of 4)."""
    EpicFactory(
        key="PAY-4",
        value_stream=kanban_data,
        state="reviewing",
        **ready_epic_fields(business_value=2, time_criticality=2, risk_reduction=2, job_size=2),
    )
    _log_in(page, live_server, vsm.username)
    page.goto(f"{live_server.url}/kanban/scoring/?value_stream={kanban_data.id}")
    choices = [
        ("PAY-2", "business_value", "8"),
        ("PAY-4", "job_size", "1"),
        ("PAY-2", "job_size", "1"),
        ("PAY-4", "business_value", "1"),
    ]
    # The page's own clock spaces the changes 100 ms apart (no waiting in the test): each one
    # sets a select and fires the change event htmx listens to, as a user's choice does.
    page.evaluate(
        """(choices) => choices.forEach(([key, name, value], n) => setTimeout(() => {
            const select = document.querySelector(`#score-row-${key} select[name=${name}]`);
            select.value = value;
            select.dispatchEvent(new Event("change", {bubbles: true}));
        }, n * 100))""",
        choices,
    )

    # PAY-2: (8 + 1 + 1) / 1; PAY-4: (1 + 2 + 2) / 1.
    expect(page.locator("#score-wsjf-PAY-2")).to_have_text("10.00")
    expect(page.locator("#score-wsjf-PAY-4")).to_have_text("5.00")
    expect(page.locator(".htmx-request")).to_have_count(0)
    for key, name, value in choices:
        expect(page.locator(f"#score-row-{key} select[name={name}]")).to_have_value(value)
    pay2, pay4 = Epic.objects.get(key="PAY-2"), Epic.objects.get(key="PAY-4")
    assert (pay2.business_value, pay2.job_size, pay2.wsjf) == (8, 1, 10.0)
    assert (pay4.business_value, pay4.job_size, pay4.wsjf) == (1, 1, 5.0)
    # PAY-2 overtook PAY-4 in the Rank column while the rows stayed where they were (PAY-4 led
    # at load: 6 / 2 against 3 / 3); the unscored stay marked.
    expect(page.locator("#score-rank-PAY-2")).to_have_text("1")
    expect(page.locator("#score-rank-PAY-4")).to_have_text("2")
    expect(page.locator("#score-rank-PAY-1")).to_have_text("unscored")
    rows = page.locator("#scoring-table tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(4)] == [
        "score-row-PAY-4",
        "score-row-PAY-2",
        "score-row-PAY-1",
        "score-row-PAY-3",
    ]


def test_four_quick_select_option_choices_in_one_row_are_all_kept(page, live_server, vsm, kanban_data):
    """The same with Playwright's own choices, back to back in one row (faster than 100 ms)."""
    _log_in(page, live_server, vsm.username)
    page.goto(f"{live_server.url}/kanban/scoring/?value_stream={kanban_data.id}")

    for name, value in (("business_value", "8"), ("time_criticality", "5"), ("risk_reduction", "3"), ("job_size", "5")):
        page.select_option(f"#score-row-PAY-1 select[name={name}]", value)

    expect(page.locator("#score-wsjf-PAY-1")).to_have_text("3.20")
    expect(page.locator(".htmx-request")).to_have_count(0)
    pay1 = Epic.objects.get(key="PAY-1")
    assert (pay1.business_value, pay1.time_criticality, pay1.risk_reduction, pay1.job_size) == (8, 5, 3, 5)


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
