"""The portfolio as of a date, against hand-built histories: the end of the day in TIME_ZONE,
a change at 23:59 vs 00:01, a deleted epic, ties on the date, ranking as it stood."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from portfolio.models import Epic
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.history import as_of_date, end_of_day, epics_as_of
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db


def at(day, hour, minute, tz="UTC"):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(tz))


def backdate(epic, *dates):
    """Give the epic's history rows, oldest first, these dates."""
    rows = list(epic.history.order_by("history_id"))
    assert len(rows) == len(dates)
    for row, when in zip(rows, dates, strict=True):
        type(row).objects.filter(pk=row.pk).update(history_date=when)


D = dt.date(2026, 6, 30)


def _epic_with_two_states(value_stream):
    epic = EpicFactory(key="AS-1", value_stream=value_stream, state="funnel")
    epic.state = "reviewing"
    epic.save()
    return epic


def test_a_change_at_23_59_counts_for_that_day_and_one_at_00_01_for_the_next(value_stream):
    epic = _epic_with_two_states(value_stream)
    backdate(epic, at(D, 9, 0), at(D, 23, 59))
    assert list(epics_as_of(day=D).values_list("key", "state")) == [("AS-1", "reviewing")]

    backdate(epic, at(D, 9, 0), at(D + dt.timedelta(days=1), 0, 1))
    assert list(epics_as_of(day=D).values_list("key", "state")) == [("AS-1", "funnel")]
    assert list(epics_as_of(day=D + dt.timedelta(days=1)).values_list("state", flat=True)) == ["reviewing"]


@override_settings(TIME_ZONE="Europe/Berlin")
def test_the_end_of_the_day_is_the_installations_midnight(value_stream):
    # 23:30 UTC on 30 June is 01:30 on 1 July in Berlin: after the end of 30 June there
    epic = _epic_with_two_states(value_stream)
    backdate(epic, at(D, 9, 0), at(D, 23, 30))
    assert end_of_day(D) == at(D + dt.timedelta(days=1), 0, 0, "Europe/Berlin")
    assert list(epics_as_of(day=D).values_list("state", flat=True)) == ["funnel"]


def test_an_epic_not_yet_created_or_deleted_by_then_is_absent(value_stream):
    kept = EpicFactory(key="AS-2", value_stream=value_stream)
    gone = EpicFactory(key="AS-3", value_stream=value_stream)
    later = EpicFactory(key="AS-4", value_stream=value_stream)
    gone_id = gone.pk
    gone.delete()
    backdate(kept, at(D, 8, 0))
    Epic.history.model.objects.filter(id=gone_id).filter(history_type="+").update(history_date=at(D, 8, 0))
    Epic.history.model.objects.filter(id=gone_id).filter(history_type="-").update(history_date=at(D, 12, 0))
    backdate(later, at(D + dt.timedelta(days=1), 8, 0))

    assert sorted(epics_as_of(day=D).values_list("key", flat=True)) == ["AS-2"]
    assert sorted(epics_as_of(day=D - dt.timedelta(days=1)).values_list("key", flat=True)) == []
    # the day before the deletion it was there
    Epic.history.model.objects.filter(id=gone_id, history_type="-").update(history_date=at(D, 12, 0) + dt.timedelta(1))
    assert sorted(epics_as_of(day=D).values_list("key", flat=True)) == ["AS-2", "AS-3"]


def test_two_history_rows_at_the_same_instant_take_the_later_one(value_stream):
    epic = _epic_with_two_states(value_stream)
    backdate(epic, at(D, 9, 0), at(D, 9, 0))
    assert list(epics_as_of(day=D).values_list("state", flat=True)) == ["reviewing"]


def test_wsjf_inputs_and_ranking_as_they_stood(value_stream):
    # then: A = (8+5+3)/5 = 3.2, B = (1+1+1)/1 = 3.0 -> A first; now B = (20+20+20)/1 = 60 -> B first
    a = EpicFactory(
        key="AS-A", value_stream=value_stream, business_value=8, time_criticality=5, risk_reduction=3, job_size=5
    )
    b = EpicFactory(
        key="AS-B", value_stream=value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=1
    )
    unscored = EpicFactory(key="AS-C", value_stream=value_stream)
    b.business_value = b.time_criticality = b.risk_reduction = 20
    b.save()
    backdate(a, at(D, 9, 0))
    backdate(b, at(D, 9, 0), at(D + dt.timedelta(days=3), 9, 0))
    backdate(unscored, at(D, 9, 0))

    then = list(epics_as_of(day=D).order_by(*RANK_ORDER).values_list("key", "cost_of_delay", "wsjf", "is_unscored"))
    assert then == [("AS-A", 16, 3.2, 0), ("AS-B", 3, 3.0, 0), ("AS-C", None, None, 1)]
    assert list(Epic.objects.ranked().values_list("key", flat=True)) == ["AS-B", "AS-A", "AS-C"]


@pytest.mark.parametrize("raw", ["2026-13-01", "yesterday", "2026-6-1", "20260601", "9999-01-01"])
def test_a_bad_as_of_is_a_clear_error(raw):
    with pytest.raises(ValidationError) as exc:
        as_of_date(raw)
    assert "as_of" in exc.value.message_dict


def test_the_query_count_is_one_whatever_the_history(value_stream, django_assert_num_queries):
    for n in range(5):
        epic = EpicFactory(key=f"AS-Q{n}", value_stream=value_stream)
        for _ in range(3):
            epic.save()
    with django_assert_num_queries(1):
        assert len(list(epics_as_of(day=dt.date(2100, 1, 1) - dt.timedelta(days=1)).order_by(*RANK_ORDER))) == 5
