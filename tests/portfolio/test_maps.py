"""Value stream maps: stage times from a hand-built status history (with a return to an
earlier stage), typed stages, the map's figures, the services' permissions and the API."""

import datetime as dt
from decimal import Decimal

import pytest

from portfolio.models import MapStage, ValueStreamMap, WorkItemStatusChange
from portfolio.selectors.maps import map_figures, map_list
from portfolio.services.delivery import work_items_upsert
from tests.factories_maps import MapStageFactory, ValueStreamMapFactory

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 31, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, month: int = 7) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _feed(value_stream, external_id: str, moves: list[tuple[dt.datetime, str, str]]) -> None:
    """Send an item's moves one by one, as a tool's webhooks (or the API) would."""
    first = moves[0][0]
    for when, status, tool in moves:
        row = {
            "value_stream_id": value_stream.pk,
            "source": "jira",
            "external_id": external_id,
            "status": status,
            "tool_status": tool,
            "created_at": first,
            "status_changed_at": when,
        }
        work_items_upsert(rows=[row], now=when)


@pytest.fixture
def current_map(value_stream):
    vsm_map = ValueStreamMapFactory(value_stream=value_stream, state="current")
    MapStageFactory(
        map=vsm_map,
        position=1,
        name="Analysis",
        tool_statuses=["ready for analysis", "analysis"],
        complete_accurate_pct=80,
    )
    MapStageFactory(
        map=vsm_map,
        position=2,
        name="Build",
        tool_statuses=["in dev", "ready for review", "in review"],
        complete_accurate_pct=30,
    )
    MapStageFactory(
        map=vsm_map,
        position=3,
        name="Test",
        tool_statuses=["testing"],
        complete_accurate_pct=90,
        typed_process_hours=Decimal("2.0"),
        typed_wait_hours=Decimal("6.0"),
    )
    return vsm_map


@pytest.fixture
def history(value_stream, other_value_stream):
    # Item A returns from review to analysis (rework), then goes back to dev and is done.
    _feed(
        value_stream,
        "PAY-1",
        [
            (at(1, 9), "waiting", "Ready for Analysis"),
            (at(1, 13), "active", "Analysis"),  # 4 h waiting in Analysis
            (at(1, 15), "active", "In Dev"),  # 2 h analysing
            (at(2, 15), "waiting", "Ready for Review"),  # 24 h in dev
            (at(2, 21), "active", "In Review"),  # 6 h waiting for review
            (at(2, 23), "active", "Analysis"),  # 2 h in review, back to analysis
            (at(3, 2), "active", "In Dev"),  # 3 h analysing again
            (at(3, 6), "done", "Done"),  # 4 h in dev
        ],
    )
    # Item B is still waiting for review: that open stay does not count yet.
    _feed(
        value_stream,
        "PAY-2",
        [
            (at(10, 8), "active", "Analysis"),
            (at(10, 10), "active", "In Dev"),  # 2 h analysing
            (at(10, 20), "waiting", "Ready for Review"),  # 10 h in dev
        ],
    )
    # Another stream's item and an item outside the 90-day window count nowhere.
    _feed(other_value_stream, "ONB-1", [(at(5, 8), "active", "Analysis"), (at(5, 20), "done", "Done")])
    _feed(value_stream, "PAY-0", [(at(1, 8, month=4), "active", "Analysis"), (at(1, 20, month=4), "done", "Done")])


def test_tool_status_moves_are_kept_in_the_status_history(history, value_stream):
    # Given the moves of PAY-1, including active -> active moves between tool statuses
    rows = WorkItemStatusChange.objects.filter(work_item__external_id="PAY-1").order_by("changed_at")
    # Then each move is one history row carrying the tool status, lower case
    assert list(rows.values_list("to_status", "tool_status")) == [
        ("waiting", "ready for analysis"),
        ("active", "analysis"),
        ("active", "in dev"),
        ("waiting", "ready for review"),
        ("active", "in review"),
        ("active", "analysis"),
        ("active", "in dev"),
        ("done", "done"),
    ]


def test_stage_times_from_history_with_a_return_to_an_earlier_stage(history, current_map, django_assert_num_queries):
    vsm_map = map_list().get(pk=current_map.pk)
    with django_assert_num_queries(1):
        figures = map_figures(vsm=vsm_map, now=NOW)
    analysis, build, test = figures.stages
    # Analysis: A 4 h waiting + 2 h + 3 h active, B 2 h active -> 11 h over 2 items, 7 h active.
    assert (analysis.source, analysis.items) == ("history", 2)
    assert analysis.lead_hours == pytest.approx(5.5)
    assert analysis.process_hours == pytest.approx(3.5)
    assert analysis.wait_hours == pytest.approx(2.0)
    # 4 stays for 2 items: one hand-over (or return) per item beyond the first stay.
    assert analysis.handoffs_per_item == pytest.approx(1.0)
    # Shares: handoffs 2/4, waiting 2/5.5, rework 1 - 0.8: handoffs dominate.
    assert analysis.dominant_waste == "handoffs"
    # Build: A 24 h + 6 h waiting + 2 h + 4 h, B 10 h (B's open wait excluded) -> 46 h / 2, 40 h active.
    assert (build.source, build.items) == ("history", 2)
    assert build.lead_hours == pytest.approx(23.0)
    assert build.process_hours == pytest.approx(20.0)
    assert build.wait_hours == pytest.approx(3.0)
    assert build.dominant_waste == "rework"  # 1 - 0.3 = 0.7 beats handoffs 3/5 and waiting 3/23
    assert build.bottleneck is True
    # Test has no history: its typed figures.
    assert (test.source, test.process_hours, test.wait_hours, test.lead_hours) == ("typed", 2.0, 6.0, 8.0)
    assert test.dominant_waste == "waiting"  # 6/8 beats rework 0.1
    assert figures.lead_hours == pytest.approx(36.5)
    assert figures.process_hours == pytest.approx(25.5)
    assert figures.flow_efficiency == pytest.approx(25.5 / 36.5)
    assert figures.rolled_complete_accurate == pytest.approx(0.8 * 0.3 * 0.9)
    assert figures.bottleneck is build


def test_a_stage_without_history_or_typed_figures_is_no_data(value_stream):
    vsm_map = ValueStreamMapFactory(value_stream=value_stream)
    MapStageFactory(map=vsm_map, position=1, name="Discovery", tool_statuses=["discovery"])
    figures = map_figures(vsm=map_list().get(pk=vsm_map.pk), now=NOW)
    (stage,) = figures.stages
    assert (stage.source, stage.lead_hours, stage.dominant_waste) == (None, None, None)
    assert (figures.lead_hours, figures.flow_efficiency, figures.rolled_complete_accurate) == (None, None, None)
    assert figures.bottleneck is None


def test_a_future_state_map_is_its_typed_targets_even_with_history(history, value_stream):
    future = ValueStreamMapFactory(value_stream=value_stream, state="future")
    MapStageFactory(
        map=future,
        position=1,
        name="Analysis",
        tool_statuses=["analysis"],
        typed_process_hours=Decimal("3.0"),
        typed_wait_hours=Decimal("1.0"),
        complete_accurate_pct=90,
    )
    figures = map_figures(vsm=map_list().get(pk=future.pk), now=NOW)
    assert (figures.stages[0].source, figures.lead_hours, figures.flow_efficiency) == ("typed", 4.0, 0.75)


# --- permissions and API ------------------------------------------------------------------------

STAGE = {"position": 1, "name": "Analysis", "tool_statuses": ["Analysis", "Ready for analysis"]}


@pytest.mark.parametrize("who", ["director", "vsm"])
def test_managers_and_directors_create_maps_and_stages(api_as, request, value_stream, who):
    client = api_as(request.getfixturevalue(who))
    created = client.post(
        "/api/value-stream-maps/", {"value_stream": value_stream.pk, "state": "current"}, format="json"
    )
    assert created.status_code == 201, created.json()
    stage = client.post("/api/map-stages/", {**STAGE, "map": created.json()["id"]}, format="json")
    assert stage.status_code == 201, stage.json()
    assert stage.json()["tool_statuses"] == ["analysis", "ready for analysis"]
    assert client.get(f"/api/value-stream-maps/{created.json()['id']}/").json()["stages"] == [stage.json()["id"]]


@pytest.mark.parametrize("who", ["other_vsm", "executive", "program_manager"])
def test_others_may_not_write_maps_and_nothing_changes(api_as, request, value_stream, current_map, who):
    client = api_as(request.getfixturevalue(who))
    stage = current_map.stages.get(position=1)
    before = list(MapStage.objects.order_by("id").values())
    assert (
        client.post(
            "/api/value-stream-maps/", {"value_stream": value_stream.pk, "state": "future"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post("/api/map-stages/", {**STAGE, "map": current_map.pk, "position": 9}, format="json").status_code
        == 403
    )
    assert client.patch(f"/api/map-stages/{stage.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    assert client.delete(f"/api/map-stages/{stage.pk}/").status_code == 403
    assert client.delete(f"/api/value-stream-maps/{current_map.pk}/").status_code == 405  # nobody deletes maps
    assert client.get(f"/api/map-stages/{stage.pk}/").status_code == 200
    assert ValueStreamMap.objects.count() == 1
    assert list(MapStage.objects.order_by("id").values()) == before


def test_a_tool_status_belongs_to_one_stage_of_a_map(api_as, vsm, current_map):
    response = api_as(vsm).post(
        "/api/map-stages/",
        {"map": current_map.pk, "position": 4, "name": "Again", "tool_statuses": ["In Dev"]},
        format="json",
    )
    assert response.status_code == 400
    assert "in dev" in str(response.json())
    assert current_map.stages.count() == 3


def test_bad_stage_input_is_a_400(api_as, vsm, current_map):
    client = api_as(vsm)
    for body in (
        {"position": 1, "name": "Twice"},  # the position is taken
        {"position": 5, "name": "X", "complete_accurate_pct": 101},
        {"position": 5, "name": "X", "typed_wait_hours": "-1"},
        {"position": 5, "name": "X", "tool_statuses": "in dev"},
    ):
        assert client.post("/api/map-stages/", {**body, "map": current_map.pk}, format="json").status_code == 400
    assert current_map.stages.count() == 3


def test_map_and_stage_lists_have_constant_query_counts(
    api_as, executive, value_stream, other_value_stream, django_assert_num_queries
):
    client = api_as(executive)
    for stream in (value_stream, other_value_stream):
        vsm_map = ValueStreamMapFactory(value_stream=stream)
        MapStageFactory.create_batch(3, map=vsm_map)
    # session-less API client: count, maps, stages (prefetch)
    with django_assert_num_queries(3):
        assert len(client.get("/api/value-stream-maps/").json()["results"]) == 2
    with django_assert_num_queries(2):
        assert len(client.get("/api/map-stages/").json()["results"]) == 6


# --- where the tool statuses come from ------------------------------------------------------------


def test_jira_and_github_deliveries_carry_their_tool_status():
    from portfolio.services.ingestion import github_map, jira_map

    jira = jira_map(
        "jira:issue_updated",
        {
            "webhookEvent": "jira:issue_updated",
            "timestamp": 1785000000000,
            "issue": {
                "key": "PAY-7",
                "fields": {
                    "project": {"key": "PAY"},
                    "summary": "Refunds",
                    "status": {"name": "Code Review", "statusCategory": {"key": "indeterminate"}},
                    "created": "2026-07-01T09:00:00.000+0000",
                    "updated": "2026-07-02T09:00:00.000+0000",
                },
            },
        },
        {},
        NOW,
    )
    assert (jira.work_items[0]["status"], jira.work_items[0]["tool_status"]) == ("active", "code review")
    github = github_map(
        "issues",
        {
            "action": "labeled",
            "repository": {"full_name": "acme/pay"},
            "issue": {
                "number": 3,
                "title": "Refunds",
                "state": "open",
                "labels": [{"name": "bug"}, {"name": "In Review"}],
                "created_at": "2026-07-01T09:00:00Z",
                "updated_at": "2026-07-02T09:00:00Z",
            },
        },
        {"in review": "waiting"},
        NOW,
    )
    # The label the mapping matched is the tool status; without one, the state.
    assert (github.work_items[0]["status"], github.work_items[0]["tool_status"]) == ("waiting", "in review")


def test_the_figures_endpoint(api_as, executive, current_map, history, django_assert_num_queries, monkeypatch):
    from portfolio.selectors import maps as selectors

    monkeypatch.setattr(selectors.timezone, "now", lambda: NOW)
    client = api_as(executive)
    with django_assert_num_queries(3):  # the map, its stages, the history
        body = client.get(f"/api/value-stream-maps/{current_map.pk}/figures/").json()
    assert body["lead_hours"] == pytest.approx(36.5)
    assert body["bottleneck"] == current_map.stages.get(name="Build").pk
    assert [(s["name"], s["source"], s["dominant_waste"]) for s in body["stages"]] == [
        ("Analysis", "history", "handoffs"),
        ("Build", "history", "rework"),
        ("Test", "typed", "waiting"),
    ]
