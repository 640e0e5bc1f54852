"""History and partials: a URL htmx pushes into the history must come back as a whole page on
Back/Forward and reload, and no cache may hand the fragment to a plain request."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ValueStreamFactory, ValueStreamSnapshotFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Every template that pushes a URL, and the test below that covers it. A new `hx-push-url`
# fails `test_every_pushed_url_has_a_history_test` until it is added here with its test.
PUSHED_URLS = {"vmo/overview.html": "test_overview_sort_is_a_fragment_for_htmx_and_a_page_otherwise"}


def test_every_pushed_url_has_a_history_test():
    pushing = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"hx-push-url=\"(?!false)", path.read_text())
    }

    assert pushing == set(PUSHED_URLS)
    assert all(name in globals() for name in PUSHED_URLS.values())


def test_overview_sort_is_a_fragment_for_htmx_and_a_page_otherwise(client, executive, quarters):
    ValueStreamSnapshotFactory(
        value_stream=ValueStreamFactory(name="Alpha"), quarter=quarters[1], as_of=dt.date(2026, 7, 5)
    )
    client.force_login(executive)
    url = "/?quarter=2026-Q3&sort=-spent"

    fragment = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="overview-table")
    reload = client.get(url)
    # htmx 2 on a history miss (configured not to pose as an htmx request)
    restore = client.get(url, HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert fragment.status_code == reload.status_code == restore.status_code == 200
    assert "<html" not in fragment.content.decode()
    for page in (reload, restore):
        body = page.content.decode()
        assert body.startswith("<!doctype html>")
        assert 'class="main-nav"' in body and 'id="overview-table"' in body
    for response in (fragment, reload, restore):
        assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("path", ["/", "/kanban/", "/funding/", "/okrs/", "/vmo/", "/value-streams/"])
def test_every_page_varies_on_hx_request(client, executive, quarters, path):
    client.force_login(executive)

    response = client.get(path)

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]


def test_htmx_history_reloads_a_whole_page_and_keeps_nothing_in_local_storage(client, executive):
    client.force_login(executive)

    body = client.get("/vmo/").content.decode()

    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", body).group(1))
    assert config["historyCacheSize"] == 0
    assert config["refreshOnHistoryMiss"] is True
    assert config["historyRestoreAsHxRequest"] is False
