import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_executive_logs_in_sees_the_demo_value_streams_and_logs_out(
    demo_data, login, page, live_server, console_errors
):
    login("executive")

    table = page.locator("#overview-table")
    expect(table).to_contain_text("Digital Payments")
    expect(table).to_contain_text("Human Resources")
    expect(table).to_contain_text("Finance & Accounting")
    expect(page.get_by_role("link", name="Kanban")).to_be_visible()

    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    assert console_errors == []
