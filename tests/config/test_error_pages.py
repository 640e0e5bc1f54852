"""Error pages inside the layout (navigation, a way back), and the htmx error handler on every page."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_not_found_is_a_page_of_the_site(client, executive):
    client.force_login(executive)

    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="main-nav"' in body
    assert "This page does not exist" in body


def test_forbidden_names_the_reason_inside_the_layout(client, vsm):
    client.force_login(vsm)

    response = client.post("/overview/action-items/", {"title": "Not mine to raise"})

    body = response.content.decode()
    assert response.status_code == 403
    assert 'class="main-nav"' in body
    assert "<p data-error-message>Only executives, program managers and directors raise action items.</p>" in body


def test_server_error_page_reads_nothing_from_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "/static/css/app.css" in body


def test_every_page_loads_the_htmx_error_handler(client, executive):
    client.force_login(executive)

    body = client.get("/vmo/").content.decode()

    assert '<script src="/static/js/errors.js" defer></script>' in body
    assert 'data-login-url="/login/"' in body
