"""The value stream map page: both maps side by side, targets, ladder, improvement items."""

from decimal import Decimal

import pytest

from tests.factories import ActionItemFactory
from tests.factories_maps import MapStageFactory, ValueStreamMapFactory
from vmo.models import ActionItem


@pytest.fixture
def maps(value_stream, vsm):
    current = ValueStreamMapFactory(value_stream=value_stream, state="current", notes="As measured.")
    MapStageFactory(
        map=current,
        position=1,
        name="Analysis",
        owner=vsm,
        typed_process_hours=Decimal("4.0"),
        typed_wait_hours=Decimal("12.0"),
        complete_accurate_pct=50,
    )
    MapStageFactory(
        map=current,
        position=2,
        name="Build",
        typed_process_hours=Decimal("8.0"),
        typed_wait_hours=Decimal("16.0"),
        complete_accurate_pct=80,
    )
    MapStageFactory(map=current, position=3, name="Release", tool_statuses=["releasing"])
    future = ValueStreamMapFactory(value_stream=value_stream, state="future")
    MapStageFactory(
        map=future,
        position=1,
        name="Analysis",
        typed_process_hours=Decimal("4.0"),
        typed_wait_hours=Decimal("4.0"),
        complete_accurate_pct=90,
    )
    MapStageFactory(
        map=future,
        position=2,
        name="Build",
        typed_process_hours=Decimal("8.0"),
        typed_wait_hours=Decimal("4.0"),
        complete_accurate_pct=90,
    )
    return current, future


def test_the_map_page_shows_both_states_targets_and_no_data(client, executive, value_stream, maps):
    client.force_login(executive)
    html = client.get(f"/value-streams/{value_stream.slug}/map/").content.decode()
    # Current: lead 16 + 24 = 40 h, process 12 h -> 30 %; rolled %C&A 0.5 x 0.8 = 40 %; Build is the bottleneck.
    assert "40.0 h" in html
    assert "<strong>Flow efficiency:</strong> 30%" in html
    assert "<strong>Rolled %C&amp;A:</strong> 40%" in html
    assert 'vsm-bottleneck-badge">Build</span>' in html
    # Future: lead 8 + 12 = 20 h, process 12 h -> 60 %; rolled 81 %.
    assert "<strong>Flow efficiency:</strong> 60%" in html
    assert "<strong>Rolled %C&amp;A:</strong> 81%" in html
    # Targets: lead time 40 -> 20 h, change -20 h; flow efficiency 30 % -> 60 %, 30 points.
    assert "-20.0 h" in html
    assert "<td>30%</td><td>60%</td>\n        <td>30% points</td>" in html
    # Release has neither history nor typed figures.
    assert html.count('<td colspan="3"><span class="muted">no data</span></td>') == 1
    assert html.count('class="vsm-ladder"') == 2
    assert "Dominant waste of a stage" in html


def test_the_map_page_has_a_constant_query_count(client, executive, value_stream, maps, django_assert_num_queries):
    client.force_login(executive)
    url = f"/value-streams/{value_stream.slug}/map/"
    client.get(url)
    # session, user, value stream, maps, stages (+owners), history, improvement items, roles,
    # the page's groups, and the form's stage and owner choices
    with django_assert_num_queries(11):
        client.get(url)
    current, _ = maps
    for n in range(4):
        MapStageFactory(map=current, position=10 + n, tool_statuses=[f"s{n}"])
        ActionItemFactory(value_stream=value_stream, map_stage=current.stages.first())
    with django_assert_num_queries(11):
        client.get(url)


@pytest.mark.parametrize("who", ["vsm", "director", "program_manager"])
def test_managers_and_backlog_keepers_raise_improvement_items(client, request, value_stream, maps, who):
    client.force_login(request.getfixturevalue(who))
    stage = maps[0].stages.get(name="Build")
    response = client.post(
        f"/value-streams/{value_stream.slug}/map/improvements/",
        {"map_stage": stage.pk, "title": "Automate the regression suite", "priority": 1},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.map_stage_id, item.value_stream_id, item.title) == (
        stage.pk,
        value_stream.pk,
        "Automate the regression suite",
    )
    html = client.get(f"/value-streams/{value_stream.slug}/map/").content.decode()
    assert "Automate the regression suite</a></td><td>Build</td>" in html


def test_a_manager_of_another_stream_may_not_raise_improvement_items(client, other_vsm, value_stream, maps):
    client.force_login(other_vsm)
    stage = maps[0].stages.get(name="Build")
    response = client.post(
        f"/value-streams/{value_stream.slug}/map/improvements/", {"map_stage": stage.pk, "title": "X", "priority": 1}
    )
    assert response.status_code == 403
    assert ActionItem.objects.count() == 0


def test_a_stage_of_another_stream_is_refused(client, director, value_stream, other_value_stream, maps):
    other = MapStageFactory(map=ValueStreamMapFactory(value_stream=other_value_stream), position=1)
    client.force_login(director)
    response = client.post(
        f"/value-streams/{value_stream.slug}/map/improvements/", {"map_stage": other.pk, "title": "X", "priority": 1}
    )
    assert response.status_code == 400
    assert ActionItem.objects.count() == 0


def test_the_action_item_api_refuses_a_stage_of_another_stream(
    api_as, director, value_stream, other_value_stream, maps
):
    stage = maps[0].stages.first()
    response = api_as(director).post(
        "/api/action-items/",
        {"title": "X", "value_stream": other_value_stream.pk, "map_stage": stage.pk},
        format="json",
    )
    assert response.status_code == 400
    assert ActionItem.objects.count() == 0
    response = api_as(director).post("/api/action-items/", {"title": "Y", "map_stage": stage.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["value_stream"] == value_stream.pk
