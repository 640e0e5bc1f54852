"""`?as_of=` on /api/key-results/: targets and current values as they stood, graded as then."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from okrs.models import KeyResult
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
D = dt.date(2026, 6, 30)
UTC = zoneinfo.ZoneInfo("UTC")


def test_key_results_as_of_a_day(api_as, executive, value_stream, quarter):
    objective = ObjectiveFactory(value_stream=value_stream, quarter=quarter)
    kr = KeyResultFactory(objective=objective, baseline=Decimal(0), target=Decimal(100), current=Decimal(40))
    kr.target = Decimal(80)
    kr.save()
    first, second = KeyResult.history.model.objects.filter(id=kr.pk).order_by("history_id")
    type(first).objects.filter(pk=first.pk).update(history_date=dt.datetime(2026, 6, 30, 12, tzinfo=UTC))
    type(second).objects.filter(pk=second.pk).update(history_date=dt.datetime(2026, 7, 1, 0, 1, tzinfo=UTC))

    then = api_as(executive).get("/api/key-results/", {"as_of": D.isoformat()}).json()["results"]

    assert [(r["id"], r["target"], r["progress"], r["grade"], r["band"]) for r in then] == [
        (kr.pk, "100.0000", 0.4, 0.4, "at_risk")
    ]
    now = api_as(executive).get("/api/key-results/").json()["results"]
    assert [(r["target"], r["progress"]) for r in now] == [("80.0000", 0.5)]


def test_the_okr_page_as_of_shows_then_grades_read_only(client, vsm, value_stream, quarter):
    objective = ObjectiveFactory(value_stream=value_stream, quarter=quarter)
    kr = KeyResultFactory(objective=objective, baseline=Decimal(0), target=Decimal(100), current=Decimal(40))
    kr.target = Decimal(50)
    kr.save()
    first, second = KeyResult.history.model.objects.filter(id=kr.pk).order_by("history_id")
    type(first).objects.filter(pk=first.pk).update(history_date=dt.datetime(2026, 6, 30, 23, 59, tzinfo=UTC))
    type(second).objects.filter(pk=second.pk).update(history_date=dt.datetime(2026, 7, 1, 0, 1, tzinfo=UTC))
    client.force_login(vsm)

    then = client.get("/okrs/", {"quarter": quarter.code, "as_of": D.isoformat()}).content.decode()
    now = client.get("/okrs/", {"quarter": quarter.code}).content.decode()

    assert "read-only" in then
    assert 'class="num kr-grade">40%' in then
    assert 'class="num kr-grade">80%' in now
    assert "check-in-form" not in then
    assert "check-in-form" in now
