"""API for the base domain: value streams, quarters, themes (list, filter, create per role)."""

import pytest

from portfolio.models import Quarter, StrategicTheme, ValueStream
from tests.factories import QuarterFactory, StrategicThemeFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_api_without_credentials_answers_401_with_www_authenticate(api_client):
    response = api_client.get("/api/value-streams/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_every_logged_in_role_lists_value_streams(api_as, director, vsm, executive, program_manager, value_stream):
    for user in (director, vsm, executive, program_manager):
        response = api_as(user).get("/api/value-streams/")

        assert response.status_code == 200
        assert [row["slug"] for row in response.json()["results"]] == ["payments"]


def test_value_stream_fields_follow_the_contract(api_as, executive, value_stream, vsm):
    row = api_as(executive).get(f"/api/value-streams/{value_stream.id}/").json()

    assert row == {
        "id": value_stream.id,
        "name": "Payments",
        "slug": "payments",
        "kind": "development",
        "delivery_mode": "agile",
        "description": "",
        "managers": [vsm.id],
        "active": True,
    }


def test_value_streams_filter_by_kind_and_manager(api_as, executive, vsm, value_stream):
    ValueStreamFactory(name="HR", slug="hr", kind="support")

    by_kind = api_as(executive).get("/api/value-streams/?kind=support").json()["results"]
    by_manager = api_as(executive).get(f"/api/value-streams/?manager={vsm.id}").json()["results"]

    assert [row["slug"] for row in by_kind] == ["hr"]
    assert [row["slug"] for row in by_manager] == ["payments"]


@pytest.mark.parametrize("manager", ["99999999999999999999999", "1.5", "0", "-3"])
def test_a_manager_filter_that_is_no_id_gets_400_not_500(api_as, executive, manager):
    # (Found by the API fuzzer: a number beyond 64 bits reached SQLite and raised OverflowError.)
    response = api_as(executive).get(f"/api/value-streams/?manager={manager}")

    assert response.status_code == 400
    assert list(response.json()) == ["manager"]


def test_director_creates_a_value_stream(api_as, director, vsm):
    response = api_as(director).post(
        "/api/value-streams/",
        {"name": "Lending", "kind": "development", "delivery_mode": "agile", "managers": [vsm.id]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = ValueStream.objects.get(slug="lending")
    assert list(created.managers.all()) == [vsm]


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_other_roles_cannot_create_value_streams_and_nothing_changes(api_as, request, persona):
    user = request.getfixturevalue(persona)

    response = api_as(user).post("/api/value-streams/", {"name": "Lending"}, format="json")

    assert response.status_code == 403
    assert ValueStream.objects.filter(name="Lending").exists() is False


def test_vsm_cannot_rename_the_value_stream_they_manage(api_as, vsm, value_stream):
    response = api_as(vsm).patch(f"/api/value-streams/{value_stream.id}/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    value_stream.refresh_from_db()
    assert value_stream.name == "Payments"


def test_value_streams_cannot_be_deleted(api_as, director, value_stream):
    response = api_as(director).delete(f"/api/value-streams/{value_stream.id}/")

    assert response.status_code == 405
    assert ValueStream.objects.filter(id=value_stream.id).exists()


def test_director_creates_a_quarter(api_as, director):
    response = api_as(director).post(
        "/api/quarters/", {"code": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "planning"


def test_overlapping_quarter_is_refused_with_a_message(api_as, director):
    QuarterFactory(code="2026-Q3", start="2026-07-01", end="2026-09-30")

    response = api_as(director).post(
        "/api/quarters/", {"code": "2026-Q4", "start": "2026-09-15", "end": "2026-12-31"}, format="json"
    )

    assert response.status_code == 400
    assert "overlaps quarter 2026-Q3" in response.json()["start"][0]
    assert Quarter.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "payload", "field"),
    [
        ("bad code", {"code": "Q3-2026", "start": "2026-07-01", "end": "2026-09-30"}, "code"),
        ("ends before it starts", {"code": "2026-Q3", "start": "2026-09-30", "end": "2026-07-01"}, "end"),
        ("missing end", {"code": "2026-Q3", "start": "2026-07-01"}, "end"),
    ],
)
def test_bad_quarter_input_gets_400_with_field_messages(api_as, director, _case, payload, field):
    response = api_as(director).post("/api/quarters/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Quarter.objects.count() == 0


def test_vsm_cannot_create_a_quarter(api_as, vsm):
    response = api_as(vsm).post(
        "/api/quarters/", {"code": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}, format="json"
    )

    assert response.status_code == 403
    assert Quarter.objects.count() == 0


def test_quarters_filter_by_status(api_as, executive):
    QuarterFactory(code="2026-Q1", status="closed")
    QuarterFactory(code="2026-Q2", status="active")

    rows = api_as(executive).get("/api/quarters/?status=active").json()["results"]

    assert [row["code"] for row in rows] == ["2026-Q2"]


def test_themes_list_filter_and_create(api_as, director, executive):
    StrategicThemeFactory(name="Grow revenue", slug="grow-revenue")
    StrategicThemeFactory(name="Cut cost", slug="cut-cost", active=False)

    active = api_as(executive).get("/api/themes/?active=true").json()["results"]
    created = api_as(director).post("/api/themes/", {"name": "Customer trust"}, format="json")
    denied = api_as(executive).post("/api/themes/", {"name": "Nope"}, format="json")

    assert [row["slug"] for row in active] == ["grow-revenue"]
    assert created.status_code == 201
    assert denied.status_code == 403
    assert sorted(StrategicTheme.objects.values_list("slug", flat=True)) == [
        "customer-trust",
        "cut-cost",
        "grow-revenue",
    ]


def test_page_size_is_capped(api_as, executive):
    ValueStreamFactory.create_batch(3)

    response = api_as(executive).get("/api/value-streams/?page_size=100000")

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_value_stream_list_runs_a_constant_number_of_queries(api_as, executive, django_assert_num_queries):
    client = api_as(executive)
    ValueStreamFactory.create_batch(2)
    with django_assert_num_queries(3):  # count, page, managers prefetch
        client.get("/api/value-streams/")
    ValueStreamFactory.create_batch(30)
    with django_assert_num_queries(3):
        client.get("/api/value-streams/")


def test_schema_lists_the_base_endpoints(api_as, executive):
    response = api_as(executive).get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/value-streams/", "/api/quarters/", "/api/themes/"):
        assert path in paths


def test_money_fields_are_documented_as_the_decimal_strings_they_are(api_as, executive):
    # (Found by the API fuzzer: MoneyField was documented as a JSON number, every response a string.)
    schemas = api_as(executive).get("/api/schema/?format=json").json()["components"]["schemas"]

    documented = [schemas["Epic"]["properties"]["estimated_cost"], schemas["MMP"]["properties"]["cost_estimate"]]

    assert [(field["type"], field["format"]) for field in documented] == [("string", "decimal"), ("string", "decimal")]
