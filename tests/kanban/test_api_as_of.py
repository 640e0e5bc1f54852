"""`GET /api/epics/?as_of=`: the epics as they stood, ranked as they were, filters applied."""

import datetime as dt
import zoneinfo

import pytest

from portfolio.models import Epic
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")
D = dt.date(2026, 6, 30)


def _at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


@pytest.fixture
def history(value_stream, other_value_stream):
    """AS-A scored 3.2 and AS-B 3.0 on D; AS-B rescored to 60 and moved on D+2; AS-Z created D+2."""
    a = EpicFactory(
        key="AS-A", value_stream=value_stream, business_value=8, time_criticality=5, risk_reduction=3, job_size=5
    )
    b = EpicFactory(
        key="AS-B", value_stream=other_value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=1
    )
    b.business_value = b.time_criticality = b.risk_reduction = 20
    b.state = "reviewing"
    b.save()
    z = EpicFactory(key="AS-Z", value_stream=value_stream)
    hist = Epic.history.model.objects
    hist.filter(id=a.pk).update(history_date=_at(D, 10))
    first_b, second_b = hist.filter(id=b.pk).order_by("history_id")
    hist.filter(pk=first_b.pk).update(history_date=_at(D, 11))
    hist.filter(pk=second_b.pk).update(history_date=_at(D + dt.timedelta(days=2), 9))
    hist.filter(id=z.pk).update(history_date=_at(D + dt.timedelta(days=2), 9))
    return a, b, z


def test_epics_as_of_a_date_show_then_state_and_rank(api_as, executive, history):
    body = api_as(executive).get("/api/epics/", {"as_of": D.isoformat()}).json()

    rows = [(e["key"], e["state"], e["cost_of_delay"], e["wsjf"], e["scored"]) for e in body["results"]]
    assert rows == [("AS-A", "funnel", 16, 3.2, True), ("AS-B", "funnel", 3, 3.0, True)]
    assert body["results"][0]["id"] == history[0].pk


def test_as_of_applies_the_collection_filters(api_as, executive, history, other_value_stream):
    body = api_as(executive).get("/api/epics/", {"as_of": D.isoformat(), "value_stream": other_value_stream.pk}).json()
    assert [e["key"] for e in body["results"]] == ["AS-B"]


@pytest.mark.parametrize("raw", ["2026-02-30", "soon", "2999-01-01"])
def test_a_bad_as_of_is_400(api_as, executive, raw):
    response = api_as(executive).get("/api/epics/", {"as_of": raw})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_as_of_has_a_constant_query_count(api_as, executive, value_stream, django_assert_num_queries):
    for n in range(6):
        EpicFactory(key=f"AS-N{n}", value_stream=value_stream).save()
    client = api_as(executive)
    today = dt.date.today().isoformat()
    # the count and the page (value streams, owners and quarters joined)
    with django_assert_num_queries(2):
        assert client.get("/api/epics/", {"as_of": today}).json()["count"] == 6
