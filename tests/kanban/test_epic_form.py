"""The epic form in sections with help on every field, and keys numbered per value stream."""

import re

import pytest

from kanban.forms import EPIC_FORM_SECTIONS, EpicForm
from portfolio.models import Epic
from portfolio.models.epics import EPIC_EDITABLE_FIELDS
from portfolio.services import epics as epic_services
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db

NEW_EPIC = {"title": "Request to pay", "kind": "business", "investment_type": "business_features"}


def test_every_editable_field_is_in_exactly_one_section():
    names = [name for *_head, fields in EPIC_FORM_SECTIONS for name in fields]

    assert sorted(names) == sorted([*EPIC_EDITABLE_FIELDS, "themes"])
    assert len(names) == len(set(names))


def test_the_form_page_has_the_sections_in_order_with_legends_and_an_intro(client, vsm, value_stream):
    client.force_login(vsm)

    html = client.get("/kanban/epics/new/").content.decode()

    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends == ["Identity", "Hypothesis statement", "Business case", "WSJF", "Cost and estimate"]
    hypothesis = html.split('id="epic-form-hypothesis"', 1)[1].split("</fieldset>", 1)[0]
    assert "For &lt;customers&gt; who &lt;have this need&gt;" in hypothesis
    assert ">For (target customers)</label>" in hypothesis
    assert ">who (their need or problem)</label>" in hypothesis
    assert ">our solution (how it does better)</label>" in hypothesis
    wsjf = html.split('id="epic-form-wsjf"', 1)[1].split("</fieldset>", 1)[0]
    assert "cost of delay ÷ job size" in wsjf


def test_every_field_has_help_text_that_its_control_points_to(client, vsm, value_stream):
    client.force_login(vsm)

    html = client.get("/kanban/epics/new/").content.decode()

    form = EpicForm(user=vsm)
    for name in form.fields:
        assert form.fields[name].help_text, name
        assert f'aria-describedby="id_{name}_helptext"' in html, name
        assert f'id="id_{name}_helptext"' in html, name


def test_a_blank_key_gets_the_streams_next_number(client, vsm, value_stream, other_value_stream):
    EpicFactory(key="PAY-3", value_stream=value_stream)
    EpicFactory(key="PAY-10", value_stream=value_stream)
    EpicFactory(key="PAY-X", value_stream=value_stream)  # not numbered: ignored
    EpicFactory(key="ONB-40", value_stream=other_value_stream)
    client.force_login(vsm)

    response = client.post("/kanban/epics/new/", {**NEW_EPIC, "key": "", "value_stream": value_stream.id})

    assert response.status_code == 302
    assert response["Location"] == "/kanban/epics/PAY-11/"
    assert Epic.objects.get(key="PAY-11").title == "Request to pay"


def test_a_stream_without_epics_takes_its_prefix_from_the_slug(vsm, value_stream):
    assert epic_services.epic_key_next(value_stream_id=value_stream.id) == "PAY-1"


def test_a_stream_keeps_the_prefix_its_keys_already_use(vsm, value_stream):
    EpicFactory(key="PMT-7", value_stream=value_stream)

    assert epic_services.epic_key_next(value_stream_id=value_stream.id) == "PMT-8"


def test_the_number_counts_the_prefix_across_streams_so_keys_stay_unique(vsm, value_stream, other_value_stream):
    # Another stream happens to use the same prefix: the next number is past both.
    EpicFactory(key="PAY-2", value_stream=value_stream)
    EpicFactory(key="PAY-5", value_stream=other_value_stream)

    assert epic_services.epic_key_next(value_stream_id=value_stream.id) == "PAY-6"


def test_a_typed_key_is_kept(client, vsm, value_stream):
    client.force_login(vsm)

    client.post("/kanban/epics/new/", {**NEW_EPIC, "key": "pay-rtp", "value_stream": value_stream.id})

    assert Epic.objects.filter(key="PAY-RTP").count() == 1


def test_a_taken_key_is_a_message_next_to_the_key_and_nothing_is_written(client, vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream, title="First")
    client.force_login(vsm)

    response = client.post("/kanban/epics/new/", {**NEW_EPIC, "key": "PAY-1", "value_stream": value_stream.id})

    assert response.status_code == 400
    key_field = response.content.decode().split('for="id_key"', 1)[1].split("</div>", 1)[0]
    assert "Epic with this Key already exists." in key_field
    assert list(Epic.objects.values_list("title", flat=True)) == ["First"]


def test_a_generated_key_lost_to_a_concurrent_create_is_recomputed(monkeypatch, vsm, value_stream):
    # Given a concurrent create took PAY-1 between computing the key and inserting it
    EpicFactory(key="PAY-1", value_stream=value_stream, title="Theirs")
    answers = iter(["PAY-1", "PAY-2"])
    monkeypatch.setattr(epic_services, "epic_key_next", lambda *, value_stream_id: next(answers))

    # When the create runs
    epic = epic_services.epic_create(user=vsm, value_stream=value_stream, title="Ours")

    # Then it retried on the unique constraint and took the next key
    assert epic.key == "PAY-2"
    assert dict(Epic.objects.values_list("key", "title")) == {"PAY-1": "Theirs", "PAY-2": "Ours"}


def test_an_edit_keeps_the_key_required(client, vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream, title="Before")
    client.force_login(vsm)

    response = client.post(
        "/kanban/epics/PAY-1/edit/", {**NEW_EPIC, "key": "", "title": "After", "value_stream": value_stream.id}
    )

    assert response.status_code == 400
    assert Epic.objects.get(key="PAY-1").title == "Before"


def test_the_api_numbers_an_epic_created_without_a_key(api_as, vsm, value_stream):
    EpicFactory(key="PAY-4", value_stream=value_stream)

    response = api_as(vsm).post(
        "/api/epics/", {"title": "Request to pay", "value_stream": value_stream.id}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["key"] == "PAY-5"
