"""`core.compiled.CompiledValues`: a list's count and pages from SQL compiled once per query
string, giving exactly what the ORM gives, with the data as it is now."""

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler
from rest_framework.test import APIClient

from core.compiled import EMPTY, CompiledValues, Statement, Statements
from kanban.api.views import plain_list_rows
from portfolio.models import Epic
from tests.factories import EpicFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


SCALE = [1, 2, 3, 5, 8, 13, 20]


@pytest.fixture
def epics():
    payments, lending = ValueStreamFactory(name="Payments"), ValueStreamFactory(name="Lending")
    rows = []
    for n in range(7):
        rows.append(
            EpicFactory(
                value_stream=payments if n % 2 else lending,
                state="backlog" if n % 3 else "funnel",
                business_value=SCALE[n],
                time_criticality=3,
                risk_reduction=2,
                job_size=5,
                estimated_cost_cents=100_000 * (n + 1),
            )
        )
    return rows


def _plain():
    return plain_list_rows(connection.vendor).all()


@pytest.mark.parametrize(
    "shape",
    [
        lambda qs: qs,
        lambda qs: qs.filter(state="backlog"),
        lambda qs: qs.filter(value_stream__name="Payments"),
        lambda qs: qs.order_by(F("wsjf").desc(nulls_last=True), "id"),
        lambda qs: qs.filter(id__in=[]),
    ],
    ids=["ranked", "state", "stream", "ordering", "empty"],
)
@pytest.mark.parametrize("window", [slice(0, 3), slice(3, 6), slice(6, 20)])
def test_rows_and_count_are_the_orms_on_every_call(epics, shape, window):
    statements = Statements()

    for _ in range(2):  # compiled on the first call, run as kept on the second
        compiled = CompiledValues(shape(_plain()), key="k", statements=statements)
        assert compiled.count() == shape(_plain()).count()
        assert compiled[window] == list(shape(_plain())[window])


def test_the_second_call_compiles_nothing_and_sees_new_data(epics, monkeypatch):
    statements = Statements()
    CompiledValues(_plain(), key="k", statements=statements).count()
    CompiledValues(_plain(), key="k", statements=statements)[0:20]
    compiled_sql = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled_sql.append(1) or original(self, *a, **k))
    EpicFactory(
        value_stream=epics[0].value_stream, business_value=20, time_criticality=20, risk_reduction=20, job_size=1
    )

    compiled = CompiledValues(_plain(), key="k", statements=statements)

    count, rows = compiled.count(), compiled[0:20]
    assert compiled_sql == []  # nothing compiled: the statements were kept ...
    assert (count, len(rows)) == (8, 8)  # ... and not the results
    assert rows == list(_plain()[0:20])
    assert len(statements) == 2


def test_a_query_django_knows_is_empty_asks_the_database_nothing(epics, django_assert_num_queries):
    statements = Statements()
    CompiledValues(Epic.objects.filter(id__in=[]).values("id"), key="k", statements=statements).count()

    with django_assert_num_queries(0):
        compiled = CompiledValues(Epic.objects.filter(id__in=[]).values("id"), key="k", statements=statements)
        assert (compiled.count(), compiled[0:5]) == (0, [])


def test_the_kept_statements_are_bounded_least_recently_used_first():
    statements = Statements(size=2)
    one, two, three = (Statement(f"SELECT {n}", (), ("n",)) for n in range(3))
    statements.put("one", one)
    statements.put("two", two)
    statements.get("one")  # used: "two" is now the least recently used
    statements.put("three", three)

    assert (statements.get("one"), statements.get("two"), statements.get("three")) == (one, None, three)
    assert len(statements) == 2
    assert EMPTY.sql == ""


def test_a_slice_with_a_step_is_refused(epics):
    with pytest.raises(TypeError):
        CompiledValues(_plain(), key="k", statements=Statements())[0:6:2]


def test_the_api_list_answers_from_kept_statements_as_the_orm_would(epics, vsm):
    client = APIClient()
    client.force_authenticate(vsm)
    payments = epics[1].value_stream

    first = client.get("/api/epics/?page_size=3").json()
    EpicFactory(value_stream=payments, state="backlog")
    second = client.get("/api/epics/?page_size=3").json()
    filtered = client.get(f"/api/epics/?value_stream={payments.pk}&page_size=3&page=2").json()

    assert (first["count"], second["count"]) == (7, 8)
    assert second["next"].endswith("page=2&page_size=3")
    expected = list(Epic.objects.filter(value_stream=payments).with_cd3().ranked().values_list("id", flat=True)[3:6])
    assert [row["id"] for row in filtered["results"]] == expected
    assert filtered["count"] == Epic.objects.filter(value_stream=payments).count()


@pytest.mark.parametrize("attempt", [1, 2])
def test_a_bad_filter_is_still_a_400_however_often_it_is_asked(epics, vsm, attempt):
    client = APIClient()
    client.force_authenticate(vsm)
    for _ in range(attempt):
        response = client.get("/api/epics/?value_stream=999999")

    assert response.status_code == 400
    assert client.get("/api/epics/?page=99").status_code == 404
