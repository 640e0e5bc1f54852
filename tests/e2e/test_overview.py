"""Journey: an executive reviews the quarter, switches quarters, opens a value stream from the
overview, and downloads the overview CSV, whose rows match what the page shows."""

import csv
import io

import pytest
from playwright.sync_api import expect

from portfolio.models import Quarter

pytestmark = pytest.mark.e2e


def test_executive_changes_quarter_opens_a_stream_and_downloads_the_csv(
    demo_data, login, page, live_server, console_errors
):
    login("executive")
    last = Quarter.objects.order_by("start")[0]
    current = Quarter.objects.order_by("start")[1]
    expect(page.locator("h1")).to_contain_text(current.code)

    # Change the quarter: last quarter's closing figures.
    page.select_option("#quarter-select", last.code)
    page.locator("#quarter-show").click()
    expect(page.locator("h1")).to_contain_text(last.code)
    page.select_option("#quarter-select", current.code)
    page.locator("#quarter-show").click()
    expect(page.locator("h1")).to_contain_text(current.code)

    # The page's rows: value stream name and the spent column as shown.
    rows = page.locator("#overview-table tbody tr[data-value-stream]")
    expect(rows).to_have_count(8)
    shown = {
        rows.nth(i).locator("th a").inner_text().strip(): rows.nth(i).locator("td").nth(1).inner_text().strip()
        for i in range(rows.count())
    }

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][:3] == ["Value stream", "Allocated", "Spent"]
    from_csv = {row[0]: f"{float(row[2]):,.2f}" for row in exported[1:]}
    assert from_csv == shown

    # Open a value stream from its row.
    page.locator("#overview-table").get_by_role("link", name="Digital Payments").click()
    expect(page.locator("h1")).to_have_text("Digital Payments")
    assert console_errors == []
