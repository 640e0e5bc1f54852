"""Predictability and the value figures of the rollup, against hand-computed tables."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.models import MMPStatus
from tests.factories import EpicFactory, MMPFactory, PlanningEventFactory, ValueStreamFactory
from vmo.models import PlanningEventKind, PlanningEventStatus, ValueStreamSnapshot
from vmo.selectors.predictability import predictability
from vmo.services.rollups import rollup_value_streams
from vmo.services.value_figures import VALUE_FIGURES

pytestmark = pytest.mark.django_db


def _plan(quarter, rows):
    return PlanningEventFactory(
        quarter=quarter,
        kind=PlanningEventKind.QUARTERLY_PLANNING,
        status=PlanningEventStatus.CLOSED,
        closed_at=timezone.make_aware(dt.datetime(2026, 7, 2)),
        plan_snapshot={"version": 1, "planned_mmps": rows},
    )


def test_predictability_is_delivered_over_planned_business_value(quarter, value_stream, other_value_stream):
    """Payments committed three MMPs of business value 8, 5 and 3 (16); the 8 and the 3 were
    released by 2026-08-15 (11 of 16 = 68.75 %, below the band); the 5 was released after the
    day. Onboarding committed one MMP without a business value (counts 1), released: 100 %."""
    epic = EpicFactory(value_stream=value_stream)
    released = {"status": MMPStatus.RELEASED}
    a = MMPFactory(epic=epic, released_on=dt.date(2026, 7, 20), **released)
    b = MMPFactory(epic=epic, released_on=dt.date(2026, 8, 20), **released)
    c = MMPFactory(epic=epic, released_on=dt.date(2026, 8, 1), **released)
    d = MMPFactory(epic=EpicFactory(value_stream=other_value_stream), released_on=dt.date(2026, 7, 5), **released)
    _plan(
        quarter,
        [
            {"mmp_id": a.id, "value_stream_id": value_stream.id, "business_value": 8},
            {"mmp_id": b.id, "value_stream_id": value_stream.id, "business_value": 5},
            {"mmp_id": c.id, "value_stream_id": value_stream.id, "business_value": 3},
            {"mmp_id": d.id, "value_stream_id": other_value_stream.id, "business_value": None},
        ],
    )
    figures = predictability(quarter=quarter, as_of=dt.date(2026, 8, 15))
    mine = figures[value_stream.id]
    assert (mine.planned_count, mine.delivered_count, mine.planned_value, mine.delivered_value) == (3, 2, 16, 11)
    assert (mine.ratio, mine.in_band) == (0.6875, False)
    assert (figures[other_value_stream.id].ratio, figures[other_value_stream.id].in_band) == (1.0, True)
    # At quarter end the late one counts too: 16 of 16.
    assert predictability(quarter=quarter, as_of=dt.date(2026, 10, 5))[value_stream.id].ratio == 1.0


def test_no_closed_planning_event_is_no_data(quarter, value_stream):
    assert predictability(quarter=quarter, as_of=dt.date(2026, 8, 15)) == {}


def test_the_rollup_keeps_every_value_figure_null_without_data(quarter):
    empty = ValueStreamFactory()
    rollup_value_streams(value_stream_ids=[empty.id], quarter=quarter, as_of=dt.date(2026, 8, 15))
    detail = ValueStreamSnapshot.objects.get(value_stream=empty).value_detail
    assert set(detail) == set(VALUE_FIGURES)
    assert {k: v for k, v in detail.items() if v not in (None, [], 0)} == {"no_value_alarm": True}
    assert (detail["epic_throughput"], detail["mvps_unevaluated"], detail["cost_flagged_months"]) == (0, 0, [])
