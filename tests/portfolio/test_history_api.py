"""`GET <collection>/{id}/history/`, the history sheets of the XLSX exports and the `/api/` index."""

import io

import openpyxl
import pytest

from funding.services.budgets import allocation_set
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    KeyResultFactory,
    QuarterBudgetFactory,
    UserFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db


def _set(obj, user, reason="", **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


def test_allocation_history_answers_who_when_field_old_new_reason(api_as, director, quarter):
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_00)
    stream = ValueStreamFactory()
    allocation = allocation_set(user=director, budget=budget, value_stream=stream, amount_cents=2_500_00)
    allocation_set(user=director, budget=budget, value_stream=stream, amount_cents=4_000_50, reason="Q3 shift")

    response = api_as(director).get(f"/api/allocations/{allocation.pk}/history/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    newest, created = body["results"]
    assert newest["type"] == "changed"
    assert newest["user"] == director.pk
    assert newest["reason"] == "Q3 shift"
    assert newest["changes"] == [{"field": "amount", "old": "2500.00", "new": "4000.50"}]
    assert created["type"] == "created"
    assert {"field": "amount", "old": None, "new": "2500.00"} in created["changes"]
    assert {"field": "value_stream", "old": None, "new": stream.pk} in created["changes"]


def test_history_pages_compare_with_the_row_before_the_page(api_as, executive, director):
    epic = EpicFactory(business_value=1)
    for value in (2, 3, 5, 8):
        _set(epic, director, business_value=value)

    response = api_as(executive).get(f"/api/epics/{epic.pk}/history/?page=2&page_size=2")

    body = response.json()
    assert body["count"] == 5
    # Page 2 holds the 3rd and 4th newest rows: 2 -> 3 and 1 -> 2, the last compared with
    # the creation row on page 3.
    assert [r["changes"] for r in body["results"]] == [
        [{"field": "business_value", "old": 2, "new": 3}],
        [{"field": "business_value", "old": 1, "new": 2}],
    ]


def test_key_result_history_shows_decimals_as_strings_and_no_op_saves_change_nothing(api_as, vsm):
    kr = KeyResultFactory(target=100)
    kr.refresh_from_db()
    old = kr.target
    _set(kr, vsm, target=old + 5)
    _set(kr, vsm)  # saved again without a change

    results = api_as(vsm).get(f"/api/key-results/{kr.pk}/history/").json()["results"]

    assert results[0]["changes"] == []
    assert results[1]["changes"] == [{"field": "target", "old": format(old, "f"), "new": format(old + 5, "f")}]
    assert format(old, "f").startswith("100.")


@pytest.mark.parametrize("count", [1, 6])
def test_history_query_count_is_constant(api_as, django_assert_num_queries, director, count):
    epic = EpicFactory(business_value=1)
    for value in (2, 3, 5, 8, 13)[: count - 1]:
        _set(epic, director, business_value=value)
    client = api_as(director)

    # object, count, page, the row before the page (no user lookups: joined)
    with django_assert_num_queries(4):
        response = client.get(f"/api/epics/{epic.pk}/history/?page_size=3")
    assert response.json()["count"] == count


def test_history_of_an_unknown_object_is_404_and_anonymous_is_401(api_as, director):
    assert api_as(director).get("/api/allocations/999999/history/").status_code == 404
    epic = EpicFactory()
    assert api_as(None).get(f"/api/epics/{epic.pk}/history/").status_code == 401


def test_history_is_read_only(api_as, director):
    allocation = AllocationFactory()
    response = api_as(director).post(f"/api/allocations/{allocation.pk}/history/", {}, format="json")
    assert response.status_code == 405


def test_every_history_tracked_resource_has_a_history_route(api_as, director):
    from django.urls import NoReverseMatch, reverse

    names = ["budget", "allocation", "guardrail", "team", "spend", "scenario", "pb-session"]
    names += ["objective", "key-result", "epic", "mmp", "risk"]
    for name in names:
        try:
            reverse(f"{name}-history", kwargs={"pk": 1})
        except NoReverseMatch:  # pragma: no cover - the assertion says which
            pytest.fail(f"{name} has no history route")


def test_api_index_lists_the_collections(api_as, executive):
    response = api_as(executive).get("/api/")

    assert response.status_code == 200
    body = response.json()
    assert body["collections"]["epics"] == "http://testserver/api/epics/"
    assert body["collections"]["allocations"] == "http://testserver/api/allocations/"
    assert body["collections"]["key-results"] == "http://testserver/api/key-results/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert list(body["collections"]) == sorted(body["collections"])
    assert api_as(None).get("/api/").status_code == 401


def _sheet(response, index):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book.sheetnames, [list(r) for r in book.worksheets[index].iter_rows(values_only=True)]


def test_allocations_xlsx_has_a_history_sheet(client, director, quarter):
    director.first_name, director.last_name = "Dana", "Director"
    director.save()
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=10_000_00)
    stream = ValueStreamFactory(name="Payments")
    allocation = allocation_set(user=director, budget=budget, value_stream=stream, amount_cents=1_000_00)
    allocation_set(user=director, budget=budget, value_stream=stream, amount_cents=1_500_00, reason="more")
    client.force_login(director)

    response = client.get(f"/exports/allocations.xlsx?quarter={quarter.code}")

    names, rows = _sheet(response, 1)
    assert names == [f"Allocations-{quarter.code}", f"Allocations-history-{quarter.code}"]
    assert rows[0] == ["Record", "Id", "When", "Who", "Change", "Field", "Old", "New", "Reason"]
    changed = [r for r in rows[1:] if r[4] == "changed"]
    assert [(r[0], r[1], r[3], r[5], r[6], r[7], r[8]) for r in changed] == [
        ("Payments", allocation.pk, "Dana Director", "amount", "1000.00", "1500.00", "more")
    ]


def test_epics_and_okrs_xlsx_have_history_sheets(client, executive, director, quarter):
    epic = EpicFactory(key="EP-7", job_size=3)
    _set(epic, director, job_size=5, reason="re-sized")
    kr = KeyResultFactory(objective__quarter=quarter, title="Churn")
    _set(kr, UserFactory(username="kim"), title="Churn rate")
    client.force_login(executive)

    _, epic_rows = _sheet(client.get(f"/exports/epics.xlsx?quarter={quarter.code}"), 1)
    _, kr_rows = _sheet(client.get(f"/exports/okrs.xlsx?quarter={quarter.code}"), 1)

    assert [r[0::5] for r in epic_rows if r[4] == "changed"] == [["EP-7", "job_size"]]
    assert [(r[5], r[6], r[7], r[8]) for r in epic_rows if r[4] == "changed"] == [("job_size", "3", "5", "re-sized")]
    assert [(r[0], r[3], r[6], r[7]) for r in kr_rows if r[4] == "changed"] == [
        ("Churn rate", "kim", "Churn", "Churn rate")
    ]
