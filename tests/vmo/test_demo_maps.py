"""The demo's value stream maps: three streams measured from history, one future state, and
improvement items; seeding twice changes nothing."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from portfolio.models import MapStage, ValueStreamMap, WorkItemStatusChange
from portfolio.selectors.maps import map_figures, map_list
from tests.factories import ValueStreamFactory, WorkItemFactory
from vmo.demo_maps import seed_maps
from vmo.models import ActionItem


def _ctx(vsm, director):
    now = timezone.now()
    streams = []
    for slug in ("payments", "lending", "core-ops", "hr"):
        vs = ValueStreamFactory(slug=slug, name=slug.title())
        streams.append(vs)
        for n in range(3):
            WorkItemFactory(
                value_stream=vs,
                status="done",
                created_at=now - dt.timedelta(days=30 + n),
                started_at=now - dt.timedelta(days=20 + n),
                finished_at=now - dt.timedelta(days=2 + n),
            )
    return SimpleNamespace(value_streams=streams, users={"vsm": vsm, "director": director}), now


def _counts():
    return (
        ValueStreamMap.objects.count(),
        MapStage.objects.count(),
        WorkItemStatusChange.objects.count(),
        ActionItem.objects.count(),
    )


def test_seed_maps_is_measured_and_idempotent(vsm, director):
    ctx, now = _ctx(vsm, director)
    seed_maps(ctx, now=now)
    first = _counts()
    seed_maps(ctx, now=now + dt.timedelta(minutes=5))
    assert _counts() == first
    # 3 current maps + lending's future; 5 stages each; 3 improvement items
    assert first[0] == 4 and first[1] == 20 and first[3] == 3
    for vs_map in map_list().filter(state="current"):
        figures = map_figures(vsm=vs_map, now=now)
        assert [stage.source for stage in figures.stages] == ["history"] * 5
        assert [stage.items for stage in figures.stages] == [3] * 5
        assert 0 < figures.flow_efficiency < 1
    future = map_figures(vsm=map_list().get(state="future"), now=now)
    assert future.lead_hours == 6 + 16 + 40 + 24 + 4 + 4 + 8 + 8 + 1 + 4
    assert list(ActionItem.objects.values_list("map_stage__name", flat=True).order_by("rank")) == [
        "Test",
        "Release",
        "Refinement",
    ]
