"""`/api/epics/`: contract, filters, ranking, writes per role, the move command, query counts."""

import pytest
from django.db import connection
from django.utils import timezone

from kanban.models import Transition
from portfolio.models import Epic
from tests.factories import (
    EpicFactory,
    QuarterFactory,
    StrategicThemeFactory,
    ValueStreamFactory,
    WipLimitFactory,
    ready_epic_fields,
)

pytestmark = pytest.mark.django_db


def test_epic_fields_follow_the_contract(api_as, executive, value_stream, vsm):
    quarter = QuarterFactory(code="2026-Q3")
    epic = EpicFactory(
        key="PAY-1",
        title="Instant payments",
        value_stream=value_stream,
        owner=vsm,
        business_value=8,
        time_criticality=5,
        risk_reduction=3,
        job_size=5,
        estimated_cost_cents=1_234_567_890_123_456_78,
        target_quarter=quarter,
    )

    row = api_as(executive).get(f"/api/epics/{epic.id}/").json()

    assert {k: row[k] for k in ("id", "key", "title", "value_stream", "kind", "state", "version", "owner")} == {
        "id": epic.id,
        "key": "PAY-1",
        "title": "Instant payments",
        "value_stream": value_stream.id,
        "kind": "business",
        "state": "funnel",
        "version": 1,
        "owner": vsm.id,
    }
    assert {k: row[k] for k in ("business_value", "time_criticality", "risk_reduction", "job_size")} == {
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
        "job_size": 5,
    }
    assert row["cost_of_delay"] == 16
    assert row["wsjf"] == 3.2
    assert row["scored"] is True
    assert row["estimated_cost"] == "1234567890123456.78"
    assert row["target_quarter"] == quarter.id


def test_the_list_is_ranked_by_wsjf_with_unscored_last(api_as, executive, value_stream):
    EpicFactory(
        key="LOW", value_stream=value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=20
    )
    EpicFactory(key="NONE", value_stream=value_stream)
    EpicFactory(
        key="HIGH", value_stream=value_stream, business_value=20, time_criticality=8, risk_reduction=5, job_size=2
    )

    rows = api_as(executive).get("/api/epics/").json()["results"]

    assert [(r["key"], r["scored"]) for r in rows] == [("HIGH", True), ("LOW", True), ("NONE", False)]


def test_ordering_is_an_allowlist(api_as, executive, value_stream):
    EpicFactory(key="B", value_stream=value_stream)
    EpicFactory(key="A", value_stream=value_stream)

    by_key = api_as(executive).get("/api/epics/?ordering=key").json()["results"]
    by_secret = api_as(executive).get("/api/epics/?ordering=go_decision_note").json()["results"]

    assert [r["key"] for r in by_key] == ["A", "B"]
    assert [r["key"] for r in by_secret] == ["B", "A"]  # ignored: creation order (both unscored)


def test_epics_filter_by_stream_state_theme_kind_owner_quarter_and_text(
    api_as, executive, vsm, value_stream, other_value_stream
):
    theme = StrategicThemeFactory()
    quarter = QuarterFactory()
    match = EpicFactory(
        key="PAY-7",
        title="Wallet top-up",
        value_stream=value_stream,
        state="reviewing",
        kind="enabler",
        owner=vsm,
        target_quarter=quarter,
    )
    match.themes.add(theme)
    EpicFactory(key="ONB-1", title="Wallet onboarding", value_stream=other_value_stream, state="reviewing")
    EpicFactory(key="PAY-8", value_stream=value_stream, state="funnel")
    client = api_as(executive)

    def keys(query):
        return [r["key"] for r in client.get(f"/api/epics/?{query}").json()["results"]]

    assert keys(f"value_stream={value_stream.id}&state=reviewing") == ["PAY-7"]
    assert sorted(keys("state=reviewing&state=funnel")) == ["ONB-1", "PAY-7", "PAY-8"]
    assert keys(f"theme={theme.id}") == ["PAY-7"]
    assert keys("kind=enabler") == ["PAY-7"]
    assert keys(f"owner={vsm.id}") == ["PAY-7"]
    assert keys(f"target_quarter={quarter.id}") == ["PAY-7"]
    assert sorted(keys("q=wallet")) == ["ONB-1", "PAY-7"]


def test_a_bad_filter_value_is_a_400(api_as, executive):
    response = api_as(executive).get("/api/epics/?state=heaven")

    assert response.status_code == 400
    assert "state" in response.json()


def test_vsm_creates_an_epic_in_their_stream(api_as, vsm, value_stream):
    response = api_as(vsm).post(
        "/api/epics/",
        {
            "key": "pay-12",
            "title": "Request to pay",
            "value_stream": value_stream.id,
            "business_value": 8,
            "time_criticality": 3,
            "risk_reduction": 2,
            "job_size": 3,
            "estimated_cost": "250000.50",
            "wsjf": 99,
            "state": "done",
            "version": 7,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    epic = Epic.objects.get(key="PAY-12")
    assert (epic.state, epic.version, epic.estimated_cost_cents) == ("funnel", 1, 25_000_050)
    assert response.json()["wsjf"] == pytest.approx(13 / 3)


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_create_epics_in_the_stream(api_as, request, value_stream, persona):
    user = request.getfixturevalue(persona)

    response = api_as(user).post(
        "/api/epics/", {"key": "PAY-1", "title": "x", "value_stream": value_stream.id}, format="json"
    )

    assert response.status_code == 403
    assert Epic.objects.count() == 0


def test_director_creates_epics_anywhere(api_as, director, value_stream):
    response = api_as(director).post(
        "/api/epics/", {"key": "PAY-1", "title": "x", "value_stream": value_stream.id}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"business_value": 4}, "business_value"),
        ({"job_size": 0}, "job_size"),
        ({"estimated_cost": "12.345"}, "estimated_cost"),
        ({"estimated_cost": "-1.00"}, "estimated_cost"),
        ({"estimated_cost": "1e3"}, "estimated_cost"),
        ({"key": ""}, "key"),
    ],
)
def test_bad_epic_input_is_a_400_with_field_messages(api_as, vsm, value_stream, payload, field):
    epic = EpicFactory(value_stream=value_stream, business_value=3, estimated_cost_cents=100)

    response = api_as(vsm).patch(f"/api/epics/{epic.id}/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    epic.refresh_from_db()
    assert (epic.business_value, epic.estimated_cost_cents) == (3, 100)


def test_vsm_scores_their_epic_and_wsjf_follows(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).patch(
        f"/api/epics/{epic.id}/",
        {"business_value": 13, "time_criticality": 8, "risk_reduction": 5, "job_size": 13},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["cost_of_delay"] == 26
    assert response.json()["wsjf"] == 2.0


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_edit_and_nothing_changes(api_as, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    epic = EpicFactory(value_stream=value_stream, title="Before")

    response = api_as(user).patch(f"/api/epics/{epic.id}/", {"title": "After", "job_size": 1}, format="json")

    assert response.status_code == 403
    epic.refresh_from_db()
    assert (epic.title, epic.job_size) == ("Before", None)


def test_a_vsm_cannot_move_an_epic_into_a_stream_they_do_not_manage(api_as, vsm, value_stream, other_value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).patch(f"/api/epics/{epic.id}/", {"value_stream": other_value_stream.id}, format="json")

    assert response.status_code == 403
    epic.refresh_from_db()
    assert epic.value_stream_id == value_stream.id


def test_epics_cannot_be_deleted(api_as, director, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(director).delete(f"/api/epics/{epic.id}/")

    assert response.status_code == 405
    assert Epic.objects.filter(id=epic.id).exists()


# --- move ---------------------------------------------------------------------------------------


def test_move_writes_a_transition_and_answers_the_epic(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, owner=vsm, **ready_epic_fields())

    response = api_as(vsm).post(
        f"/api/epics/{epic.id}/move/", {"to_state": "reviewing", "version": 1, "reason": "ready"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["version"]) == ("reviewing", 2)
    assert list(Transition.objects.values_list("from_state", "to_state", "by_id")) == [("funnel", "reviewing", vsm.id)]


def test_a_stale_move_answers_409_with_the_current_state(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, owner=vsm, state="reviewing", version=4, **ready_epic_fields())

    response = api_as(vsm).post(f"/api/epics/{epic.id}/move/", {"to_state": "analyzing", "version": 3}, format="json")

    assert response.status_code == 409
    assert (response.json()["state"], response.json()["version"]) == ("reviewing", 4)
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("reviewing", 4)
    assert Transition.objects.count() == 0


def test_a_refused_move_answers_400_listing_every_unmet_condition(api_as, vsm, value_stream):
    WipLimitFactory(state="analyzing", limit=0)
    epic = EpicFactory(value_stream=value_stream, state="reviewing", job_size=5)

    response = api_as(vsm).post(f"/api/epics/{epic.id}/move/", {"to_state": "analyzing", "version": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["conditions"] == [
        "Analyzing needs WSJF scores (missing: business value, time criticality, "
        "risk reduction / opportunity enablement).",
        "Analyzing is at its WIP limit in the portfolio (0 of 0).",
    ]
    assert Epic.objects.get(id=epic.id).state == "reviewing"


@pytest.mark.parametrize(
    "payload",
    [{"to_state": "heaven", "version": 1}, {"to_state": "reviewing"}, {"to_state": "reviewing", "version": "x"}],
)
def test_bad_move_input_is_a_400(api_as, vsm, value_stream, payload):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).post(f"/api/epics/{epic.id}/move/", payload, format="json")

    assert response.status_code == 400
    assert Epic.objects.get(id=epic.id).version == 1


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_move_and_nothing_changes(api_as, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    epic = EpicFactory(value_stream=value_stream, owner=user, **ready_epic_fields())

    response = api_as(user).post(f"/api/epics/{epic.id}/move/", {"to_state": "reviewing", "version": 1}, format="json")

    assert response.status_code == 403
    assert (Epic.objects.get(id=epic.id).state, Transition.objects.count()) == ("funnel", 0)


def test_director_records_a_go_decision(api_as, director, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(director).post(f"/api/epics/{epic.id}/go-decision/", {"note": "Strong case"}, format="json")

    assert response.status_code == 200
    assert (response.json()["go_decision_by"], response.json()["go_decision_note"]) == (director.id, "Strong case")


def test_executive_cannot_record_a_go_decision(api_as, executive, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(executive).post(f"/api/epics/{epic.id}/go-decision/", {"note": "yes"}, format="json")

    assert response.status_code == 403
    assert Epic.objects.get(id=epic.id).go_decision_at is None


# --- query counts -------------------------------------------------------------------------------


def _bulk_epics(n, value_streams, theme):
    epics = Epic.objects.bulk_create(
        [
            Epic(
                key=f"BULK-{i}",
                title=f"Epic {i}",
                value_stream=value_streams[i % len(value_streams)],
                business_value=(1, 2, 3, 5, 8, 13, 20)[i % 7],
                time_criticality=(1, 2, 3, 5, 8, 13, 20)[i % 5],
                risk_reduction=(1, 2, 3, 5, 8, 13, 20)[i % 3],
                job_size=(1, 2, 3, 5, 8, 13, 20)[i % 6] if i % 10 else None,
                estimated_cost_cents=i * 100,
                state_changed_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    Epic.themes.through.objects.bulk_create(
        [Epic.themes.through(epic_id=e.id, strategictheme_id=theme.id) for e in epics]
    )


@pytest.mark.parametrize("count", [10, 2000])
def test_epic_list_runs_the_same_number_of_queries_for_10_and_2000(api_as, executive, django_assert_num_queries, count):
    streams = [ValueStreamFactory() for _ in range(3)]
    _bulk_epics(count, streams, StrategicThemeFactory())
    client = api_as(executive)

    # The count and the page, whose rows carry their theme ids on PostgreSQL (an array
    # subquery); SQLite reads the page's theme ids in a third query.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        response = client.get("/api/epics/?page_size=500")

    assert len(response.json()["results"]) == min(count, 500)


def test_related_endpoints_are_in_the_schema(api_as, executive):
    paths = api_as(executive).get("/api/schema/?format=json").json()["paths"]

    for path in ("/api/epics/", "/api/epics/{id}/move/", "/api/mmps/", "/api/dependencies/", "/api/risks/"):
        assert path in paths


def test_api_score_changes_are_in_the_history_with_their_author(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, job_size=3)

    api_as(vsm).patch(f"/api/epics/{epic.id}/", {"job_size": 8}, format="json")

    last = epic.history.order_by("-history_date", "-history_id").first()
    assert (last.job_size, last.history_user_id) == (8, vsm.id)


def test_cd3_is_cost_of_delay_per_week_over_duration_and_orders_the_list(api_as, executive, value_stream):
    EpicFactory(key="A", value_stream=value_stream, cost_of_delay_per_week_cents=10_000_00, estimated_duration_weeks=8)
    EpicFactory(key="B", value_stream=value_stream, cost_of_delay_per_week_cents=3_000_00, estimated_duration_weeks=2)
    EpicFactory(key="C", value_stream=value_stream, cost_of_delay_per_week_cents=3_000_00)

    rows = api_as(executive).get("/api/epics/?ordering=-cd3").json()["results"]

    assert [(r["key"], r["cd3"]) for r in rows][:2] == [("B", 1500.0), ("A", 1250.0)]
    assert {r["key"]: r["cd3"] for r in rows}["C"] is None
