"""`/api/epics/` list rows: the list representation, `?expand=business_case`, the rank index."""

import pytest
from django.db import connection
from django.utils import timezone

from kanban.api.serializers import EPIC_LIST_FIELDS
from portfolio.models import Epic
from tests.factories import EpicFactory, QuarterFactory, StrategicThemeFactory

pytestmark = pytest.mark.django_db

BUSINESS_CASE = ("description", "hypothesis_for", "mvp_definition", "in_scope", "go_decision_note")


def _full_epic(value_stream, vsm, director):
    epic = EpicFactory(
        key="PAY-1",
        title="Instant payments",
        value_stream=value_stream,
        owner=vsm,
        description="A long business case",
        hypothesis_for="retail customers",
        mvp_definition="one bank",
        business_value=8,
        time_criticality=5,
        risk_reduction=3,
        job_size=5,
        estimated_cost_cents=1_234_567_890_123_456_78,
        estimated_duration_weeks=8,
        cost_of_delay_per_week_cents=10_000_05,
        target_quarter=QuarterFactory(code="2026-Q3"),
        go_decision_by=director,
        go_decision_at=timezone.now(),
        go_decision_note="Strong case",
    )
    # named against their id order: the detail (prefetched by name) and the list agree on id order
    epic.themes.add(StrategicThemeFactory(name="Zeta"), StrategicThemeFactory(name="Alpha"))
    return epic


def test_a_list_row_is_the_detail_without_the_business_case(api_as, executive, value_stream, vsm, director):
    epic = _full_epic(value_stream, vsm, director)
    client = api_as(executive)

    detail = client.get(f"/api/epics/{epic.id}/").json()
    row = client.get("/api/epics/").json()["results"][0]

    assert list(row) == EPIC_LIST_FIELDS
    assert row == {name: detail[name] for name in EPIC_LIST_FIELDS}
    assert (row["estimated_cost"], row["cost_of_delay_per_week"], row["cd3"]) == (
        "1234567890123456.78",
        "10000.05",
        1250.00625,
    )
    assert (row["cost_of_delay"], row["wsjf"], row["scored"]) == (16, 3.2, True)
    assert sorted(row["themes"]) == sorted(epic.themes.values_list("id", flat=True))
    assert not set(BUSINESS_CASE) & set(row)


def test_an_unscored_epic_without_figures_lists_nulls(api_as, executive, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    row = api_as(executive).get("/api/epics/").json()["results"][0]

    assert row["id"] == epic.id
    assert {k: row[k] for k in ("wsjf", "cost_of_delay", "scored", "cd3", "estimated_cost", "owner", "themes")} == {
        "wsjf": None,
        "cost_of_delay": None,
        "scored": False,
        "cd3": None,
        "estimated_cost": None,
        "owner": None,
        "themes": [],
    }


def test_expand_business_case_lists_whole_epics(api_as, executive, value_stream, vsm, director):
    epic = _full_epic(value_stream, vsm, director)
    client = api_as(executive)

    row = client.get("/api/epics/?expand=business_case").json()["results"][0]

    assert row == client.get(f"/api/epics/{epic.id}/").json()
    assert (row["description"], row["go_decision_note"]) == ("A long business case", "Strong case")


def test_the_list_representation_and_expand_are_in_the_schema(api_as, executive):
    schema = api_as(executive).get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/epics/"]["get"]
    expand = next(p for p in operation["parameters"] if p["name"] == "expand")
    listed = schema["components"]["schemas"]["EpicList"]["properties"]
    assert expand["schema"]["enum"] == ["business_case"]
    assert list(listed) == EPIC_LIST_FIELDS
    assert "description" in schema["components"]["schemas"]["Epic"]["properties"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rank index's NULLS LAST is PostgreSQL's")
@pytest.mark.parametrize(
    ("filters", "index"),
    [({}, "epic_rank_idx"), ({"value_stream_id": 1, "state": "backlog"}, "epic_stream_state_rank_idx")],
)
def test_the_top_n_in_rank_order_reads_the_rank_index_without_sorting(filters, index):
    # Forbidding the sort and the sequential scan leaves the planner the index only if the
    # index's terms match the rank order term for term; a mismatch shows up as a Sort node.
    query = Epic.objects.filter(**filters).ranked().values("id")[:20]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan
    assert "Sort" not in plan


def test_list_datetimes_read_as_the_detail_writes_them_outside_utc(api_as, executive, value_stream, settings):
    settings.TIME_ZONE = "America/New_York"  # -05:00 in winter, -04:00 in summer
    epic = EpicFactory(value_stream=value_stream, go_decision_at=timezone.now())
    client = api_as(executive)

    detail = client.get(f"/api/epics/{epic.id}/").json()
    row = client.get("/api/epics/").json()["results"][0]

    assert row["created_at"].endswith(("-05:00", "-04:00"))
    assert {name: row[name] for name in ("created_at", "state_changed_at", "go_decision_at")} == {
        name: detail[name] for name in ("created_at", "state_changed_at", "go_decision_at")
    }
