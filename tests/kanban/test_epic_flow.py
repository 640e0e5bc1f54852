"""Time to value, epic cycle time, throughput and time in state against hand-computed tables."""

import datetime as dt

import pytest
from django.utils import timezone

from kanban.selectors import (
    epic_cycle_time_days,
    epic_throughput,
    last_value_release,
    time_in_state_days,
    time_to_value_days,
    with_time_to_value,
)
from portfolio.models import Epic, EpicState, MMPKind, MMPStatus
from tests.factories import EpicFactory, MMPFactory, TransitionFactory

pytestmark = pytest.mark.django_db


def _at(day: int, month: int = 7, hour: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def _epic(value_stream, key, created, *, release=None, go=None, backlog=None, done=None):
    epic = EpicFactory(key=key, value_stream=value_stream, go_decision_at=go)
    Epic.objects.filter(id=epic.id).update(created_at=created, state=EpicState.DONE if done else EpicState.FUNNEL)
    if release:
        MMPFactory(epic=epic, kind=MMPKind.MVP, status=MMPStatus.RELEASED, released_on=release)
        # an unreleased MMP does not count
        MMPFactory(epic=epic, status=MMPStatus.PLANNED, released_on=None)
    if backlog:
        TransitionFactory(epic=epic, from_state="analyzing", to_state="backlog", at=backlog)
    if done:
        TransitionFactory(epic=epic, from_state="implementing", to_state="done", at=done)
    return epic


@pytest.fixture
def flow(value_stream, other_value_stream):
    """Payments: A created 1 July, go 5 July, released 11 July (10 days; 6 from go), done 31 July
    (30 days; backlog 6 July -> done 31 July = 25). B created 1 July released 21 July (20),
    done 16 August (backlog 1 August -> 15). C created 1 July released 1 September (outside).
    D created 1 July, no release, no go. Onboarding: E created 1 June released 1 August (61)."""
    a = _epic(value_stream, "A", _at(1), release=dt.date(2026, 7, 11), go=_at(5), backlog=_at(6), done=_at(31))
    b = _epic(value_stream, "B", _at(1), release=dt.date(2026, 7, 21), backlog=_at(1, 8), done=_at(16, 8))
    _epic(value_stream, "C", _at(1), release=dt.date(2026, 9, 1))
    d = _epic(value_stream, "D", _at(1))
    _epic(other_value_stream, "E", _at(1, 6), release=dt.date(2026, 8, 1))
    return {"a": a, "b": b, "d": d}


def test_time_to_value_per_epic(flow):
    rows = {e.key: e for e in with_time_to_value(Epic.objects.all())}
    assert rows["A"].to_release_seconds / 86400 == 10
    assert rows["A"].go_to_release_seconds / 86400 == 6
    assert rows["A"].to_done_seconds / 86400 == 30
    assert rows["A"].cycle_seconds / 86400 == 25
    assert rows["D"].to_release_seconds is None
    assert rows["B"].go_to_release_seconds is None


def test_time_to_value_median_and_p85_per_value_stream(flow, value_stream, other_value_stream):
    # Payments releases in the window: 10 and 20 days -> median 15, p85 10 + 0.85 x 10 = 18.5.
    assert time_to_value_days(start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 31)) == {
        value_stream.id: (15.0, 18.5),
        other_value_stream.id: (61.0, 61.0),
    }


def test_epic_cycle_time_and_throughput(flow, value_stream):
    window = {"start": dt.date(2026, 7, 1), "end": dt.date(2026, 9, 30)}
    # cycle times 25 and 15 -> median 20, p85 15 + 0.85 x 10 = 23.5
    assert epic_cycle_time_days(**window) == {value_stream.id: (20.0, 23.5)}
    assert epic_throughput(**window) == {value_stream.id: 2}
    assert epic_throughput(start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31)) == {value_stream.id: 1}


def test_last_value_release(flow, value_stream, other_value_stream):
    assert last_value_release() == {value_stream.id: dt.date(2026, 9, 1), other_value_stream.id: dt.date(2026, 8, 1)}


def test_time_in_state(value_stream):
    epic = EpicFactory(value_stream=value_stream)
    TransitionFactory(epic=epic, from_state="funnel", to_state="reviewing", at=_at(1))
    TransitionFactory(epic=epic, from_state="reviewing", to_state="analyzing", at=_at(3))
    TransitionFactory(epic=epic, from_state="analyzing", to_state="reviewing", at=_at(4))
    TransitionFactory(epic=epic, from_state="reviewing", to_state="analyzing", at=_at(10))
    # reviewing: 2 days then 6 days -> mean 4; analyzing: 1 day, then 10 July -> now (20 July) 10 days -> 5.5
    assert time_in_state_days(now=_at(20)) == {"reviewing": 4.0, "analyzing": 5.5}
