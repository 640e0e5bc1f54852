"""Database down is a 503 with Retry-After (styled page, or JSON under /api/), never a 500; the
API schema and docs need a login unless API_DOCS_PUBLIC publishes them."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails the way a stopped PostgreSQL does."""

    def refuse(self, *args, **kwargs):
        raise OperationalError('connection to server at "10.1.2.3", port 5432 failed: Connection refused')

    def arm():
        monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refuse)

    return arm


def test_a_page_answers_a_styled_503_with_retry_after(client, executive, database_down):
    client.force_login(executive)
    client.raise_request_exception = False
    database_down()

    response = client.get("/kanban/")

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<h1>Temporarily unavailable</h1>" in html
    assert "/static/css/app.css" in html
    assert "10.1.2.3" not in html and "Traceback" not in html


def test_the_api_answers_a_json_503(api_as, executive, database_down):
    client = api_as(executive)
    database_down()

    response = client.get("/api/epics/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "The service is temporarily unavailable (database); retry later."}


def test_a_failure_in_middleware_before_the_view_is_a_503_too(client, executive, database_down):
    # The session and user are looked up by middleware (LoginRequiredMiddleware), before any
    # view: process_exception never sees that, handler500 does.
    client.force_login(executive)
    client.raise_request_exception = False
    database_down()

    response = client.get("/okrs/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_the_next_request_after_the_database_returns_succeeds(client, executive, monkeypatch):
    client.force_login(executive)
    client.raise_request_exception = False
    original = BaseDatabaseWrapper._cursor

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refuse)
    assert client.get("/kanban/").status_code == 503
    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", original)

    assert client.get("/kanban/").status_code == 200


def test_other_errors_are_still_a_plain_500(client, executive, monkeypatch):
    client.force_login(executive)
    client.raise_request_exception = False

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("vmo.views.health.readiness_checks", boom)

    response = client.get("/readyz")

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json"])
def test_the_schema_needs_a_login(client, url):
    response = client.get(url)

    assert response.status_code == 401


def test_the_docs_send_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/docs/"


def test_a_logged_in_user_reads_the_schema(client, executive):
    client.force_login(executive)

    assert client.get("/api/schema/?format=json").status_code == 200


def test_an_installation_may_publish_the_schema_and_docs(client, settings):
    settings.API_DOCS_PUBLIC = True

    assert client.get("/api/schema/?format=json").status_code == 200
    assert client.get("/api/docs/").status_code == 200
