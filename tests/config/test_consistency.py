"""One way to show things: people by full name, no Django "---------" placeholder, ISO dates."""

import datetime as dt

import pytest
from django.template import Context, Template

from portfolio.people import display_name
from tests.factories import ValueStreamFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "last", "username", "shown"),
    [("Diana", "Reyes", "director", "Diana Reyes"), ("", "", "bot", "bot"), ("Cher", "", "cher", "Cher")],
)
def test_people_are_shown_by_full_name(first, last, username, shown):
    assert display_name(None, first_name=first, last_name=last, username=username) == shown


def test_the_person_filter_names_a_user_or_shows_a_dash(director):
    director.first_name, director.last_name = "Diana", "Reyes"
    template = Template("{% load people %}{{ someone|person }} / {{ nobody|person }}")

    assert template.render(Context({"someone": director, "nobody": None})) == "Diana Reyes / —"


def test_dates_use_the_one_iso_format(settings):
    template = Template("{{ day }} · {{ day|date }} · {{ at|date:'DATETIME_FORMAT' }}")

    shown = template.render(Context({"day": dt.date(2026, 7, 31), "at": dt.datetime(2026, 7, 31, 14, 5)}))

    assert shown == "2026-07-31 · 2026-07-31 · 2026-07-31 14:05"


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("director", "/kanban/epics/new/"),
        ("director", "/kanban/"),
        ("executive", "/vmo/"),
        ("director", "/okrs/objectives/new/"),
        ("director", "/funding/"),
        ("director", "/funding/estimates/"),
        ("pm", "/vmo/planning/"),
        ("director", "/delivery/import/"),
    ],
)
def test_no_page_offers_the_dashes_placeholder(client, request, current_quarter, persona, path):
    ValueStreamFactory()
    user = request.getfixturevalue({"pm": "program_manager"}.get(persona, persona))
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 200
    assert "---------" not in response.content.decode()
