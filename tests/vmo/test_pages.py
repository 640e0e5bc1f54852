"""Every page needs login; the shell renders with navigation and a CSP htmx can live with."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/kanban/", "/funding/", "/okrs/", "/value-streams/", "/vmo/", "/search/", "/search/?q=pay"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_anonymous_users_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_every_logged_in_user(client, executive, path):
    client.force_login(executive)

    response = client.get(path)

    assert response.status_code == 200
    assert b'href="/kanban/"' in response.content
    assert b"htmx-2.0.11.min.js" in response.content


def test_pages_send_a_content_security_policy_without_unsafe_inline(client, executive):
    client.force_login(executive)

    policy = client.get("/").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_value_stream_page_shows_its_details(client, executive, value_stream):
    client.force_login(executive)

    response = client.get("/value-streams/payments/")

    assert response.status_code == 200
    assert b"Payments" in response.content


def test_unknown_value_stream_is_404(client, executive):
    client.force_login(executive)

    assert client.get("/value-streams/nope/").status_code == 404


def test_login_page_logs_in_and_logout_logs_out(client, executive):
    response = client.post("/login/", {"username": "eve_exec", "password": "pw"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    client.post("/logout/")

    assert client.get("/").status_code == 302


def test_api_docs_load_only_local_assets(client, executive):
    client.force_login(executive)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"cdn" not in response.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in response.content
