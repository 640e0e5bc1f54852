"""Journey: an executive sorts the overview (htmx pushes the URL), opens another page, presses
Back and Forward and reloads: each time the whole, styled page, never the bare table."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _is_whole_overview(page):
    expect(page.locator("h1")).to_contain_text("Portfolio overview")
    expect(page.locator("header .main-nav")).to_be_visible()
    expect(page.locator("#overview-table")).to_have_count(1)


def test_back_forward_and_reload_after_an_htmx_sort_show_the_whole_page(
    demo_data, login, page, live_server, console_errors
):
    login("executive")
    page.locator("#overview-table a[data-sort='spent']").click()
    page.wait_for_url("**/?*sort=*spent*")
    sorted_url = page.url
    expect(page.locator("#overview-table th[aria-sort]")).to_have_count(1)

    page.goto(f"{live_server.url}/metrics/")
    page.go_back()
    page.wait_for_url(sorted_url)
    _is_whole_overview(page)
    expect(page.locator("#overview-table th[aria-sort]")).to_have_count(1)

    page.go_back()  # the overview before sorting
    _is_whole_overview(page)
    page.go_forward()  # the sorted overview again
    page.wait_for_url(sorted_url)
    _is_whole_overview(page)

    page.reload()
    _is_whole_overview(page)
    assert console_errors == []
