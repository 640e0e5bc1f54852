"""`make screenshots` visits scripts/screenshots.py's PAGES as the director: each must answer."""

import pytest

from scripts.screenshots import PAGES, USER
from tests.factories import ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_every_page_of_the_screenshots_answers_200_for_the_director(client, director, current_quarter):
    ValueStreamFactory(slug="payments", name="Digital Payments")  # the stream the script shows
    client.force_login(director)

    answers = {path: client.get(path).status_code for _name, path, _what in PAGES}

    assert USER == "director"
    assert answers == {path: 200 for _name, path, _what in PAGES}
    assert len(answers) == 5
