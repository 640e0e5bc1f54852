"""Page sweep: every role visits every page of the navigation and the detail pages one click
deep, on the demo portfolio, in Chromium. Each page answers < 400, has an <h1>, and logs no
console error, uncaught exception or CSP violation (Chromium reports those on the console).

The funding, value stream and overview pages are still being rebuilt on other branches; they are
swept as they are now and the sweep is meant to be re-run after those merges.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

PERSONAS = ["director", "vsm", "executive", "pm"]

# Detail pages one click deep: (page the link is on, CSS selector of the link, what it is).
# A link with a real href is followed by URL, so the order of the sweep is deterministic.
DETAIL_LINKS = [
    ("/kanban/", "a[href^='/kanban/epics/']:not([href$='/new/'])", "an epic page"),
    ("/kanban/", "a[href='/kanban/scoring/']", "the scoring page"),
    ("/kanban/", "a[href='/kanban/flow/']", "the cumulative flow page"),
    ("/kanban/", "a[href='/kanban/governance/']", "the governance flow page"),
    ("/funding/teams/", "a[href$='/sprints/']", "a team's sprints"),
    ("/okrs/", "a[href^='/okrs/key-results/']", "a key result page"),
    ("/vmo/planning/", "a[href^='/vmo/planning/']", "a planning event"),
    ("/value-streams/", "a[href^='/value-streams/']", "a value stream page"),
    ("/value-streams/lending/", "a[href='/value-streams/lending/map/']", "a value stream map"),
    ("/funding/", "a[href^='/funding/participatory/']", "the participatory budgeting sessions"),
    ("/funding/participatory/", "#pb-sessions a[href^='/funding/participatory/']", "a closed session's outcome"),
    ("/vmo/", "a[href='/vmo/impediments/']", "the impediment log"),
    ("/vmo/", "a[href='/vmo/feedback/']", "customer feedback"),
    ("/vmo/", "a[href='/vmo/executive-action-team/']", "the executive action team"),
    ("/value-streams/payments/", "a[href^='/vmo/increments/']", "a program increment"),
]
# The directors' settings and outbound event pages (in a director's user menu; 403 for the other roles).
SETTINGS_PAGES = [
    "/settings/",
    "/settings/value-streams/",
    "/settings/quarters/",
    "/settings/kanban/",
    "/settings/display/",
    "/settings/sources/",
    "/settings/users/",
    "/events/",
]
# The write forms of the epic and its parts (issue 15 point 6), for the roles that may open them
# (the others get a 403 by design, tested in tests/kanban/test_part_pages.py).
PART_FORMS = ["/kanban/risks/new/", "/kanban/dependencies/new/"]
FORM_PAGES = {
    "director": ["/kanban/epics/new/", "/kanban/mmps/new/", *PART_FORMS],
    "vsm": ["/kanban/epics/new/", "/kanban/mmps/new/", *PART_FORMS],
    "pm": PART_FORMS,
    "executive": [],
}
PLANNING_EVENT = re.compile(r"^/vmo/planning/\d+/$")


def _first_href(page, selector, pattern=None):
    for href in page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        path = href.split("?")[0]
        if pattern is None or pattern.match(path):
            return path
    return None


def test_every_page_of_every_role_renders_cleanly(demo_data, live_server, login, page, console_errors):
    problems: list[str] = []
    visited: dict[str, list[str]] = {}

    def visit(persona: str, path: str) -> None:
        console_errors.clear()
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        visited.setdefault(persona, []).append(path)
        if response is None or response.status >= 400:
            problems.append(f"{persona} {path}: status {response.status if response else 'none'}")
        if page.locator("h1").count() == 0:
            problems.append(f"{persona} {path}: no <h1>")
        if console_errors:
            problems.append(f"{persona} {path}: console {console_errors[:3]}")

    for persona in PERSONAS:
        # Given a role logged in through the form
        page.context.clear_cookies()
        login(persona)

        # When they visit every navigation page (and the API docs in their user menu) ...
        nav = page.locator(".main-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert "/kanban/" in nav and "/okrs/" in nav and "/vmo/" in nav, nav
        # (and the notification and scheduled-report pages of the user menu, issue 19)
        user_menu = ["/notifications/", "/notifications/preferences/", "/reports/schedules/"]
        settings_pages = SETTINGS_PAGES if persona == "director" else []
        # (and the global search of the header, empty and with results of every kind, issue 15)
        search = ["/search/", "/search/?q=pay"]
        for path in [*nav, "/api/docs/", *user_menu, *search, *settings_pages, *FORM_PAGES[persona]]:
            visit(persona, path)

        # ... and the detail pages one click away from them
        for on_page, selector, what in DETAIL_LINKS:
            page.goto(f"{live_server.url}{on_page}")
            pattern = PLANNING_EVENT if on_page == "/vmo/planning/" else None
            href = _first_href(page, selector, pattern)
            assert href, f"{persona}: no link to {what} on {on_page}"
            visit(persona, href)
            if pattern is PLANNING_EVENT:
                summary = _first_href(page, "a[href$='/summary/']")
                assert summary, f"{persona}: no link to the printable summary on {href}"
                visit(persona, summary)

    # Then every page rendered cleanly for every role
    assert not problems, "\n".join(problems)
    assert sorted(visited) == sorted(PERSONAS)
    assert all(len(paths) >= 15 for paths in visited.values()), visited


# --- layout at three widths ---------------------------------------------------------------------

WIDTHS = [(390, 844), (1024, 768), (1440, 900)]
# The pages an executive or manager opens on a phone as well as on a desk.
LAYOUT_PAGES = [
    "/",
    "/kanban/",
    "/kanban/scoring/",
    "/funding/",
    "/okrs/",
    "/value-streams/",
    "/vmo/",
    "/vmo/planning/",
    "/reports/monthly/",
    "/overview/economy/",
    "/metrics/",
    "/kanban/epics/new/",
    "/kanban/risks/new/",
    "/search/?q=pay",
]
# Wider than the page is allowed only inside these: they scroll sideways on purpose.
SCROLLERS = ".table-scroll, main table, .kanban-board, .kanban-cards, pre"

OVERFLOW = """(scrollers) => {
  const page = document.scrollingElement;
  const wide = [];
  const width = window.innerWidth;
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(scrollers)) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""));
  }
  return { scrollWidth: page.scrollWidth, innerWidth: width, wide: wide.slice(0, 5) };
}"""


def test_no_page_is_wider_than_the_viewport(demo_data, live_server, login, page):
    login("director")
    epic = _first_href(
        page.goto(f"{live_server.url}/kanban/") and page, "a[href^='/kanban/epics/']:not([href$='/new/'])"
    )
    stream = _first_href(page.goto(f"{live_server.url}/value-streams/") and page, "a[href^='/value-streams/']")
    problems = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for path in [*LAYOUT_PAGES, epic, stream]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            found = page.evaluate(OVERFLOW, SCROLLERS)
            if found["scrollWidth"] > found["innerWidth"] or found["wide"]:
                problems.append(
                    f"{width}px {path}: page {found['scrollWidth']} > {found['innerWidth']} {found['wide']}"
                )
        if width < 768:
            # The navigation is folded behind its menu button, which opens it.
            page.goto(f"{live_server.url}/")
            assert page.locator(".main-nav").is_hidden()
            page.get_by_text("Menu", exact=True).click()
            assert page.locator(".main-nav a[href='/kanban/']").is_visible()
    assert not problems, "\n".join(problems)
