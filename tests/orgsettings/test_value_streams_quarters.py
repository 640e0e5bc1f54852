"""Settings pages and API for value streams and quarters: directors only, every change audited."""

import datetime as dt

import pytest

from portfolio.models import Quarter, SettingChange, ValueStream
from tests.factories import QuarterFactory, UserFactory, ValueStreamFactory

NON_DIRECTORS = ["vsm", "executive", "program_manager"]

pytestmark = pytest.mark.django_db


def _vs_post(**overrides):
    data = {
        "name": "Claims",
        "slug": "",
        "kind": "development",
        "delivery_mode": "agile",
        "description": "",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_a_director_adds_a_value_stream_with_managers_and_it_is_audited(client, director, vsm):
    client.force_login(director)
    response = client.post("/settings/value-streams/", _vs_post(managers=[vsm.id]))
    assert response.status_code == 302
    stream = ValueStream.objects.get(slug="claims")
    assert list(stream.managers.values_list("id", flat=True)) == [vsm.id]
    change = SettingChange.objects.get()
    assert (change.kind, change.action, change.by, change.object_id) == (
        "value stream",
        "create",
        director,
        str(stream.id),
    )
    assert change.changes["managers"] == [None, [vsm.id]]
    assert change.changes["name"] == [None, "Claims"]


def test_a_director_archives_a_value_stream_and_the_audit_row_says_what_changed(client, director, value_stream, vsm):
    client.force_login(director)
    data = _vs_post(name="Payments", slug="payments", managers=[vsm.id])
    del data["active"]  # unticked: archive
    response = client.post(f"/settings/value-streams/{value_stream.id}/", data)
    assert response.status_code == 302
    value_stream.refresh_from_db()
    assert value_stream.active is False
    change = SettingChange.objects.get()
    assert change.action == "update"
    assert change.changes == {"active": [True, False]}


def test_saving_a_value_stream_unchanged_writes_no_audit_row(client, director, value_stream, vsm):
    client.force_login(director)
    client.post(
        f"/settings/value-streams/{value_stream.id}/", _vs_post(name="Payments", slug="payments", managers=[vsm.id])
    )
    assert SettingChange.objects.count() == 0


def test_a_bad_value_stream_shows_the_form_again(client, director, value_stream):
    client.force_login(director)
    response = client.post("/settings/value-streams/", _vs_post(name="Payments", slug="payments"))
    assert response.status_code == 400
    assert ValueStream.objects.count() == 1
    assert SettingChange.objects.count() == 0


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_the_value_stream_pages_and_nothing_changes(client, request, persona, value_stream):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/settings/").status_code == 403
    assert client.get("/settings/value-streams/").status_code == 403
    assert client.post("/settings/value-streams/", _vs_post()).status_code == 403
    assert client.post(f"/settings/value-streams/{value_stream.id}/", _vs_post(name="Renamed")).status_code == 403
    assert list(ValueStream.objects.values_list("name", "active")) == [("Payments", True)]
    assert SettingChange.objects.count() == 0


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_value_stream_writes_on_the_api(api_as, request, persona, value_stream):
    client = api_as(request.getfixturevalue(persona))
    assert client.post("/api/value-streams/", {"name": "Claims"}, format="json").status_code == 403
    assert client.patch(f"/api/value-streams/{value_stream.id}/", {"active": False}, format="json").status_code == 403
    assert list(ValueStream.objects.values_list("name", "active")) == [("Payments", True)]
    assert SettingChange.objects.count() == 0


def test_the_api_archives_a_value_stream_and_audits_it(api_as, director, value_stream):
    response = api_as(director).patch(f"/api/value-streams/{value_stream.id}/", {"active": False}, format="json")
    assert response.status_code == 200
    change = SettingChange.objects.get()
    assert (change.kind, change.by, change.changes) == ("value stream", director, {"active": [True, False]})


@pytest.mark.parametrize("count", [2, 30])
def test_the_value_stream_settings_page_has_a_constant_query_count(client, director, django_assert_num_queries, count):
    managers = [UserFactory(), UserFactory()]
    for _ in range(count):
        ValueStreamFactory(managers=managers)
    client.force_login(director)
    # session, user, groups (role check), value streams, their managers, form's manager choices,
    # the user menu's groups
    with django_assert_num_queries(7):
        response = client.get("/settings/value-streams/")
    assert response.status_code == 200


def test_a_director_adds_and_edits_a_quarter_and_both_are_audited(client, director):
    client.force_login(director)
    data = {"code": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31", "status": "planning"}
    assert client.post("/settings/quarters/", data).status_code == 302
    quarter = Quarter.objects.get(code="2027-Q1")
    assert client.post(f"/settings/quarters/{quarter.id}/", {**data, "status": "active"}).status_code == 302
    quarter.refresh_from_db()
    assert quarter.status == "active"
    created, updated = SettingChange.objects.order_by("id")
    assert created.changes["start"] == [None, "2027-01-01"]
    assert (updated.action, updated.changes) == ("update", {"status": ["planning", "active"]})


def test_an_overlapping_quarter_is_refused_with_a_message(client, director, quarter):
    client.force_login(director)
    data = {"code": "2027-Q1", "start": "2026-09-01", "end": "2026-12-31", "status": "planning"}
    response = client.post("/settings/quarters/", data)
    assert response.status_code == 400
    assert b"overlaps quarter 2026-Q3" in response.content
    assert Quarter.objects.count() == 1
    assert SettingChange.objects.count() == 0


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_quarters_on_pages_and_api(client, api_as, request, persona, quarter):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    data = {"code": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31", "status": "planning"}
    assert client.get("/settings/quarters/").status_code == 403
    assert client.post("/settings/quarters/", data).status_code == 403
    assert client.post(f"/settings/quarters/{quarter.id}/", {**data, "code": "2026-Q3"}).status_code == 403
    assert api_as(user).post("/api/quarters/", data, format="json").status_code == 403
    assert list(Quarter.objects.values_list("code", "start", "status")) == [
        ("2026-Q3", dt.date(2026, 7, 1), "planning")
    ]
    assert SettingChange.objects.count() == 0


@pytest.mark.parametrize("count", [2, 30])
def test_the_quarter_settings_page_has_a_constant_query_count(client, director, django_assert_num_queries, count):
    for _ in range(count):
        QuarterFactory()
    client.force_login(director)
    with django_assert_num_queries(5):  # session, user, groups (role check), quarters, user menu
        assert client.get("/settings/quarters/").status_code == 200


def test_only_directors_see_the_settings_link_in_their_menu(client, director, vsm):
    client.force_login(director)
    assert b'href="/settings/"' in client.get("/value-streams/").content
    client.force_login(vsm)
    assert b'href="/settings/"' not in client.get("/value-streams/").content


@pytest.mark.parametrize("count", [1, 30])
def test_the_settings_home_lists_recent_changes_in_constant_queries(client, director, django_assert_num_queries, count):
    for n in range(count):
        SettingChange.objects.create(by=UserFactory(), kind="quarter", object_repr=f"Q{n}", action="update")
    client.force_login(director)
    with django_assert_num_queries(5):  # session, user, groups (role check), changes with who, user menu
        response = client.get("/settings/")
    assert response.content.decode().count("Changed quarter Q") == count
