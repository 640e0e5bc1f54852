"""API for objectives, key results (progress, grade) and check-ins, per role."""

from decimal import Decimal

import pytest

from okrs.models import CheckIn, KeyResult, Objective, ObjectiveLevel
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(quarter, value_stream):
    return ObjectiveFactory(quarter=quarter, value_stream=value_stream, title="Faster payments")


def test_key_result_fields_follow_the_contract(api_as, executive, objective):
    kr = KeyResultFactory(
        objective=objective, title="Payout time", direction="decrease", baseline=48, target=24, current=12
    )

    row = api_as(executive).get(f"/api/key-results/{kr.id}/").json()

    assert row["id"] == kr.id
    assert row["objective"] == objective.id
    assert row["direction"] == "decrease"
    assert (row["baseline"], row["target"], row["current"]) == ("48.0000", "24.0000", "12.0000")
    assert row["progress"] == pytest.approx(1.5)  # raw progress is kept: (48 - 12) / (48 - 24)
    assert row["grade"] == 1.0
    assert row["band"] == "on_track"


def test_objective_score_in_the_api_is_the_weighted_mean(api_as, executive, objective):
    KeyResultFactory(objective=objective, baseline=0, target=10, current=5, weight=1)  # 0.5
    KeyResultFactory(objective=objective, direction="decrease", baseline=100, target=50, current=60, weight=3)  # 0.8

    row = api_as(executive).get(f"/api/objectives/{objective.id}/").json()

    assert row["score"] == pytest.approx((0.5 * 1 + 0.8 * 3) / 4)
    assert row["band"] == "on_track"


def test_vsm_creates_a_key_result_on_their_stream(api_as, vsm, objective):
    response = api_as(vsm).post(
        "/api/key-results/",
        {"objective": objective.id, "title": "Conversion", "baseline": "2.5", "target": "4", "unit": "%"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["current"] == "2.5000"
    assert response.json()["grade"] == 0.0


def test_key_result_target_equal_to_baseline_gets_400_with_message(api_as, vsm, objective):
    response = api_as(vsm).post(
        "/api/key-results/", {"objective": objective.id, "title": "Flat", "baseline": "3", "target": "3"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["target"] == [
        "The target must differ from the baseline, otherwise progress cannot be measured."
    ]
    assert KeyResult.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_other_roles_cannot_create_key_results_on_the_stream(api_as, request, persona, objective):
    user = request.getfixturevalue(persona)

    response = api_as(user).post(
        "/api/key-results/", {"objective": objective.id, "title": "X", "baseline": "0", "target": "1"}, format="json"
    )

    assert response.status_code == 403
    assert KeyResult.objects.count() == 0


def test_vsm_cannot_create_portfolio_objectives_but_a_director_can(api_as, vsm, director, quarter):
    payload = {"quarter": quarter.id, "level": "portfolio", "title": "Grow digital revenue"}

    denied = api_as(vsm).post("/api/objectives/", payload, format="json")
    allowed = api_as(director).post("/api/objectives/", payload, format="json")

    assert denied.status_code == 403
    assert allowed.status_code == 201, allowed.json()
    assert list(Objective.objects.values_list("level", flat=True)) == [ObjectiveLevel.PORTFOLIO]


def test_vsm_cannot_move_an_objective_to_another_stream(api_as, vsm, objective, other_value_stream):
    response = api_as(vsm).patch(
        f"/api/objectives/{objective.id}/", {"value_stream": other_value_stream.id}, format="json"
    )

    assert response.status_code == 403
    objective.refresh_from_db()
    assert objective.value_stream_id != other_value_stream.id


def test_vsm_checks_in_through_the_api(api_as, vsm, objective):
    kr = KeyResultFactory(objective=objective, baseline=0, target=200, current=0)

    response = api_as(vsm).post(
        f"/api/key-results/{kr.id}/check-ins/", {"value": "150", "confidence": 7, "note": "good month"}, format="json"
    )
    listing = api_as(vsm).get(f"/api/key-results/{kr.id}/check-ins/").json()
    kr_row = api_as(vsm).get(f"/api/key-results/{kr.id}/").json()

    assert response.status_code == 201, response.json()
    assert [(row["value"], row["confidence"]) for row in listing["results"]] == [("150.0000", 7)]
    assert kr_row["current"] == "150.0000"
    assert kr_row["grade"] == 0.75
    assert kr_row["confidence"] == 7


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_other_roles_cannot_check_in_and_nothing_changes(api_as, request, persona, objective):
    kr = KeyResultFactory(objective=objective, current=10)

    response = api_as(request.getfixturevalue(persona)).post(
        f"/api/key-results/{kr.id}/check-ins/", {"value": "90", "confidence": 5}, format="json"
    )

    assert response.status_code == 403
    kr.refresh_from_db()
    assert kr.current == Decimal(10)
    assert CheckIn.objects.count() == 0


def test_bad_check_in_gets_400_with_field_messages(api_as, vsm, objective):
    kr = KeyResultFactory(objective=objective)

    response = api_as(vsm).post(
        f"/api/key-results/{kr.id}/check-ins/", {"value": "lots", "confidence": 12}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"value", "confidence"}
    assert CheckIn.objects.count() == 0


def test_vsm_cannot_change_another_streams_key_result(api_as, other_vsm, objective):
    kr = KeyResultFactory(objective=objective, target=100)

    response = api_as(other_vsm).patch(f"/api/key-results/{kr.id}/", {"target": "50"}, format="json")

    assert response.status_code == 403
    kr.refresh_from_db()
    assert kr.target == Decimal(100)


def test_key_results_filter_by_quarter_and_value_stream(api_as, executive, objective, other_value_stream):
    mine = KeyResultFactory(objective=objective)
    KeyResultFactory(objective=ObjectiveFactory(value_stream=other_value_stream))

    rows = api_as(executive).get(f"/api/key-results/?quarter=2026-Q3&value_stream={objective.value_stream_id}").json()

    assert [row["id"] for row in rows["results"]] == [mine.id]


def test_list_endpoints_run_a_constant_number_of_queries(api_as, executive, objective, django_assert_num_queries):
    client = api_as(executive)
    KeyResultFactory.create_batch(2, objective=objective)
    # key-results: count, page, epics prefetch, mmps prefetch; objectives: count, page
    with django_assert_num_queries(4):
        client.get("/api/key-results/")
    with django_assert_num_queries(2):
        client.get("/api/objectives/")
    for _ in range(10):
        KeyResultFactory.create_batch(3, objective=ObjectiveFactory(quarter=objective.quarter))
    with django_assert_num_queries(4):
        client.get("/api/key-results/")
    with django_assert_num_queries(2):
        client.get("/api/objectives/")


def test_schema_lists_the_okr_endpoints(api_as, executive):
    paths = api_as(executive).get("/api/schema/?format=json").json()["paths"]

    for path in ("/api/objectives/", "/api/key-results/", "/api/key-results/{id}/check-ins/"):
        assert path in paths


def test_vsm_cannot_link_another_streams_epic_through_the_api(api_as, vsm, objective, other_value_stream):
    from tests.factories import EpicFactory

    foreign = EpicFactory(value_stream=other_value_stream)

    response = api_as(vsm).post(
        "/api/key-results/",
        {"objective": objective.id, "title": "X", "baseline": "0", "target": "1", "epics": [foreign.id]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["epics"] == ["Link only epics of this objective's value stream."]
    assert KeyResult.objects.count() == 0


@pytest.mark.parametrize("param", ["epic", "value_stream"])
def test_key_result_id_filters_refuse_what_is_no_id_with_400(api_as, executive, param):
    # (Found by the API fuzzer: ?epic=<30 digits> reached SQLite and raised OverflowError.)
    response = api_as(executive).get(f"/api/key-results/?{param}=99999999999999999999999")

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_a_key_result_value_keeps_15_digits_exactly_and_refuses_more(api_as, vsm, objective):
    # (Found by the amount fuzzer: SQLite kept 12345678901234.5678 as ...234.6000, and
    # 99999999999999.9999 came back as 1E+14 and raised on read, a 500.)
    kr = KeyResultFactory(objective=objective, baseline=0, target=100, current=7)
    client = api_as(vsm)

    exact = client.patch(f"/api/key-results/{kr.id}/", {"target": "99999999999.9999"}, format="json")
    too_long = client.patch(f"/api/key-results/{kr.id}/", {"target": "99999999999999.9999"}, format="json")

    assert exact.status_code == 200, exact.json()
    assert exact.json()["target"] == "99999999999.9999"
    assert too_long.status_code == 400
    assert too_long.json() == {"target": ["Ensure that there are no more than 15 digits in total."]}
    assert KeyResult.objects.get(id=kr.id).target == Decimal("99999999999.9999")


@pytest.mark.parametrize("method", ["get", "post"])
def test_check_ins_of_a_key_result_id_that_is_no_number_is_404(api_as, director, method):
    # (Found by the API fuzzer: Django's get_object_or_404 let int('true') raise, a 500.)
    response = getattr(api_as(director), method)("/api/key-results/true/check-ins/", {}, format="json")

    assert response.status_code == 404
    assert CheckIn.objects.count() == 0
