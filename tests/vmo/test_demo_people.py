"""The demo's people and obstacles (issue 20): a dozen impediments (some escalated), feedback on
several epics, one release train with two increments; idempotent."""

import datetime as dt

import pytest

from portfolio.demo import DemoContext
from tests.factories import EpicFactory, QuarterFactory, TeamFactory, UserFactory, ValueStreamFactory
from vmo.demo_people import seed_people
from vmo.models_people import (
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    StreamRole,
)
from vmo.selectors.people import increment_predictability

pytestmark = pytest.mark.django_db


def _ctx():
    today = dt.date(2026, 8, 20)
    streams = [ValueStreamFactory() for _ in range(3)]
    for vs in streams:
        TeamFactory(value_stream=vs)
        EpicFactory(value_stream=vs)
        EpicFactory(value_stream=vs)
    users = {name: UserFactory(username=name) for name in ("director", "vsm", "vsm2", "executive", "pm")}
    quarters = {"current": QuarterFactory(code="2026-Q3"), "last": QuarterFactory(code="2026-Q2")}
    return DemoContext(today=today, scale=1, users=users, value_streams=streams, quarters=quarters)


def _counts():
    return [
        m.objects.count()
        for m in (ExecutiveActionTeam, StreamRole, Impediment, CustomerFeedback, ProgramIncrement, PIObjective)
    ]


def test_demo_people_seed_is_believable_and_idempotent(django_assert_max_num_queries):
    ctx = _ctx()

    with django_assert_max_num_queries(30):  # set-based: no query per row
        seed_people(ctx)
    first = _counts()
    seed_people(ctx)

    assert _counts() == first == [1, 5, 12, 6, 2, 6]
    assert Impediment.objects.filter(escalated_to__isnull=False).count() == 4
    assert Impediment.objects.filter(resolved_on__isnull=False).count() == 3
    assert CustomerFeedback.objects.values("epic").distinct().count() == 5
    pi1, pi2 = ProgramIncrement.objects.order_by("start")
    figures = increment_predictability(increment_ids=[pi1.id, pi2.id])
    # PI 1: (9 + 5 + 8 + 0) / (10 + 7 + 8 + 3) = 22/28; PI 2 not scored yet
    assert figures[pi1.id].ratio == round(22 / 28, 4)
    assert figures[pi2.id] is None
