"""Typing a value stream map on its page: the stream's managers and directors create the maps and
add, edit, reorder and remove stages; everyone else is refused and sees no form."""

from decimal import Decimal

import pytest

from portfolio.models import MapStage, ValueStreamMap
from tests.factories_maps import MapStageFactory, ValueStreamMapFactory

BLANK = {
    "name": "",
    "owner": "",
    "tool_statuses": "",
    "typed_process_hours": "",
    "typed_wait_hours": "",
    "complete_accurate_pct": "",
}


def _data(prefix: str, **values) -> dict:
    return {f"{prefix}-{name}": value for name, value in {**BLANK, **values}.items()}


def _stored(vsm_map) -> list[tuple]:
    return list(
        MapStage.objects.filter(map=vsm_map)
        .order_by("position")
        .values_list(
            "position",
            "name",
            "owner_id",
            "tool_statuses",
            "typed_process_hours",
            "typed_wait_hours",
            "complete_accurate_pct",
        )
    )


@pytest.fixture
def current(value_stream, vsm):
    current = ValueStreamMapFactory(value_stream=value_stream, state="current")
    MapStageFactory(
        map=current,
        position=1,
        name="Analysis",
        owner=vsm,
        tool_statuses=["in review", "qa"],
        typed_process_hours=Decimal("4.0"),
        complete_accurate_pct=80,
    )
    MapStageFactory(map=current, position=2, name="Build", tool_statuses=["building"])
    return current


def test_a_manager_creates_a_map_adds_edits_and_reorders_stages(client, vsm, value_stream):
    client.force_login(vsm)
    base = f"/value-streams/{value_stream.slug}/map/"
    html = client.get(base).content.decode()
    assert 'id="map-create-current"' in html
    assert 'id="map-create-future"' in html

    response = client.post(f"{base}create/", {"state": "current"})
    assert response.status_code == 302
    assert response["Location"] == f"{base}#map-current"
    created = ValueStreamMap.objects.get(value_stream=value_stream)
    assert (created.state, created.title, created.window_days) == ("current", "Current state", 90)

    first = _data(
        "new-current",
        name="Analysis",
        owner=vsm.pk,
        tool_statuses="In Review, QA, in review",
        typed_process_hours="4.5",
        typed_wait_hours="12",
        complete_accurate_pct="80",
    )
    assert client.post(f"{base}current/stages/", first).status_code == 302
    second = _data("new-current", name="Build", typed_process_hours="8")
    assert client.post(f"{base}current/stages/", second).status_code == 302
    analysis, build = MapStage.objects.filter(map=created).order_by("position")
    assert _stored(created) == [
        (1, "Analysis", vsm.pk, ["in review", "qa"], Decimal("4.5"), Decimal("12.0"), 80),
        (2, "Build", None, [], Decimal("8.0"), None, None),
    ]

    edit = _data(
        f"stage-{build.pk}",
        name="Build and test",
        tool_statuses="Building",
        typed_process_hours="8",
        typed_wait_hours="16.5",
        complete_accurate_pct="90",
    )
    assert client.post(f"{base}stages/{build.pk}/", edit).status_code == 302
    assert client.post(f"{base}stages/{build.pk}/move/", {"direction": "up"}).status_code == 302
    assert _stored(created) == [
        (1, "Build and test", None, ["building"], Decimal("8.0"), Decimal("16.5"), 90),
        (2, "Analysis", vsm.pk, ["in review", "qa"], Decimal("4.5"), Decimal("12.0"), 80),
    ]
    # Moving the first stage up changes nothing.
    assert client.post(f"{base}stages/{build.pk}/move/", {"direction": "up"}).status_code == 302
    assert [s[1] for s in _stored(created)] == ["Build and test", "Analysis"]

    html = client.get(base).content.decode()
    # Typed figures: Build and test 8 + 16.5 = 24.5 h, Analysis 4.5 + 12 = 16.5 h; lead 41.0 h.
    assert "41.0 h" in html
    assert f'id="stage-form-{build.pk}"' in html
    assert f'id="stage-form-{analysis.pk}"' in html
    assert 'value="in review, qa"' in html


def test_a_director_removes_a_stage(client, director, value_stream, current):
    client.force_login(director)
    build = current.stages.get(name="Build")
    response = client.post(f"/value-streams/{value_stream.slug}/map/stages/{build.pk}/delete/")
    assert response.status_code == 302
    assert [s[1] for s in _stored(current)] == ["Analysis"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"typed_process_hours": "-1"}, "typed_process_hours", "greater than or equal to 0"),
        ({"typed_wait_hours": "-0.5"}, "typed_wait_hours", "greater than or equal to 0"),
        ({"complete_accurate_pct": "101"}, "complete_accurate_pct", "less than or equal to 100"),
        ({"tool_statuses": "Deploying, QA"}, "tool_statuses", "Already in another stage of this map: qa."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_stage_input_shows_the_error_and_writes_nothing(client, vsm, value_stream, current, values, field, message):
    client.force_login(vsm)
    before = _stored(current)
    data = _data("new-current", **{"name": "Release", **values})
    response = client.post(f"/value-streams/{value_stream.slug}/map/current/stages/", data)
    assert response.status_code == 400
    html = response.content.decode()
    # The error sits under its field, in the add form, which is open.
    assert f'name="new-current-{field}"' in html
    field_html = html.split(f'name="new-current-{field}"', 1)[1].split("</label>", 1)[0]
    assert message in field_html
    assert 'id="map-current-editor" open' in html
    assert _stored(current) == before


def test_an_edit_that_takes_another_stages_status_is_refused(client, vsm, value_stream, current):
    client.force_login(vsm)
    before = _stored(current)
    build = current.stages.get(name="Build")
    data = _data(f"stage-{build.pk}", name="Build", tool_statuses="building, QA", typed_wait_hours="-2")
    response = client.post(f"/value-streams/{value_stream.slug}/map/stages/{build.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in html
    data = _data(f"stage-{build.pk}", name="Build", tool_statuses="building, QA")
    response = client.post(f"/value-streams/{value_stream.slug}/map/stages/{build.pk}/", data)
    assert response.status_code == 400
    assert "Already in another stage of this map: qa." in response.content.decode()
    assert _stored(current) == before


def test_a_second_map_of_the_same_state_is_refused(client, vsm, value_stream, current):
    client.force_login(vsm)
    response = client.post(f"/value-streams/{value_stream.slug}/map/create/", {"state": "current"})
    assert response.status_code == 400
    response = client.post(f"/value-streams/{value_stream.slug}/map/create/", {"state": "past"})
    assert response.status_code == 400
    assert ValueStreamMap.objects.count() == 1


@pytest.mark.parametrize("who", ["executive", "other_vsm"])
def test_others_see_no_form_and_are_refused(client, request, value_stream, current, who):
    client.force_login(request.getfixturevalue(who))
    base = f"/value-streams/{value_stream.slug}/map/"
    html = client.get(base).content.decode()
    assert "map-create-" not in html
    assert "stage-form-" not in html
    assert "stage-add-" not in html
    before = _stored(current)
    build = current.stages.get(name="Build")
    posts = [
        (f"{base}create/", {"state": "future"}),
        (f"{base}current/stages/", _data("new-current", name="Release")),
        (f"{base}stages/{build.pk}/", _data(f"stage-{build.pk}", name="Renamed")),
        (f"{base}stages/{build.pk}/move/", {"direction": "up"}),
        (f"{base}stages/{build.pk}/delete/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert ValueStreamMap.objects.count() == 1
    assert _stored(current) == before


def test_a_stage_of_another_stream_is_not_found_through_this_stream(client, vsm, value_stream, other_value_stream):
    other = MapStageFactory(map=ValueStreamMapFactory(value_stream=other_value_stream), position=1, name="Theirs")
    client.force_login(vsm)
    response = client.post(f"/value-streams/{value_stream.slug}/map/stages/{other.pk}/delete/")
    assert response.status_code == 404
    assert MapStage.objects.filter(pk=other.pk).exists()


def test_the_editors_page_has_a_constant_query_count(client, vsm, value_stream, current, django_assert_num_queries):
    client.force_login(vsm)
    url = f"/value-streams/{value_stream.slug}/map/"
    client.get(url)
    # As many as the executive's page (test_value_stream_map_page): the owner choices are read
    # once for every form, and the improvement form's owner field reuses them.
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(4):
        MapStageFactory(map=current, position=10 + n, tool_statuses=[f"s{n}"])
    ValueStreamMapFactory(value_stream=value_stream, state="future")
    with django_assert_num_queries(11):
        client.get(url)
