"""Journey: inline changes that fail say so next to the control and lose nothing. An expired
session keeps the typed form and offers a new login, after which the same button saves; a
refused or failed change shows its message in the row instead of nothing."""

import pytest
from playwright.sync_api import expect

from vmo.models import ActionItem

pytestmark = pytest.mark.e2e


def _drop_session(page):
    # A session that expired: the session cookie is gone, the long-lived CSRF cookie stays.
    kept = [cookie for cookie in page.context.cookies() if cookie["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)


def test_an_expired_session_keeps_the_form_and_saves_after_logging_in_again(
    demo_data, login, page, live_server, console_errors
):
    login("executive")
    page.goto(f"{live_server.url}/vmo/")
    page.get_by_text("Add an action item").click()
    form = page.locator("form.quick-add")
    form.get_by_label("Title").fill("Board pack for October")
    _drop_session(page)

    form.get_by_role("button", name="Add").click()

    note = form.locator(".htmx-error")
    expect(note).to_contain_text("Your session has expired. Nothing was saved.")
    expect(form.get_by_label("Title")).to_have_value("Board pack for October")
    expect(page.locator("#backlog input[name='username']")).to_have_count(0)  # no login page swapped in
    assert not ActionItem.objects.filter(title="Board pack for October").exists()

    with page.context.expect_page() as opened:
        note.get_by_role("link", name="Log in again in a new tab").click()
    login_tab = opened.value
    login_tab.get_by_label("Username").fill("executive")
    login_tab.get_by_label("Password").fill("demo")
    login_tab.get_by_role("button", name="Log in").click()
    login_tab.wait_for_url(f"{live_server.url}/vmo/")
    login_tab.close()

    form.get_by_role("button", name="Add").click()
    expect(page.locator("#backlog")).to_contain_text("Board pack for October")
    assert ActionItem.objects.filter(title="Board pack for October").count() == 1
    assert console_errors == []


@pytest.mark.parametrize(
    ("status", "content_type", "body", "shown"),
    [
        (500, "text/html", "<h1>boom</h1>", "The server could not complete this. Nothing was saved"),
        (409, "application/json", '{"detail": "Changed meanwhile."}', "Changed meanwhile."),
        (403, "text/html", "<p data-error-message>Only owners change this.</p>", "Only owners change this."),
    ],
)
def test_a_failed_inline_change_shows_its_message_next_to_the_control(
    demo_data, login, page, live_server, status, content_type, body, shown
):
    login("executive")
    page.goto(f"{live_server.url}/vmo/")
    page.route(
        "**/vmo/action-items/*/status/",
        lambda route: route.fulfill(status=status, content_type=content_type, body=body),
    )
    row = page.locator("#backlog tbody tr").filter(has=page.locator("form.status-form")).first

    row.locator("select[name='status']").select_option("done")

    expect(row.locator(".htmx-error")).to_contain_text(shown)
    expect(row.locator("form.status-form")).to_have_count(1)  # the row is still there, not replaced
