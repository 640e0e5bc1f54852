"""Issue 18 point 8: the demo has one project stream, two agile streams whose sprints show
say/do below 100 %, and the rest continuous; the commitments seeder is idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from funding import demo_modes
from funding.models import TeamSprint
from funding.selectors import value_stream_predictability
from portfolio.models import ValueStream

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]


def test_the_demo_streams_by_mode_and_agile_predictability(seeded_demo):
    modes = dict(ValueStream.objects.values_list("slug", "delivery_mode"))
    assert modes == {
        "payments": "continuous",
        "onboarding": "agile",
        "lending": "agile",
        "mobile": "continuous",
        "data": "continuous",
        "core-ops": "project",
        "hr": "continuous",
        "finance": "continuous",
    }
    agile = list(ValueStream.objects.filter(delivery_mode="agile").order_by("slug"))
    figures = value_stream_predictability(value_stream_ids=[vs.id for vs in agile], as_of=timezone.localdate())
    for vs in agile:
        assert figures[vs.id].sprints >= 6  # two teams, 12 weeks of two-week sprints
        assert 0.5 < figures[vs.id].say_do < 1
    # Only the agile streams' sprints carry a typed commitment.
    typed = TeamSprint.objects.filter(committed_size__isnull=False)
    assert set(typed.values_list("team__value_stream__slug", flat=True)) == {"lending", "onboarding"}

    before = list(typed.order_by("id").values_list("id", "committed_size"))
    ctx = type("Ctx", (), {"value_streams": list(ValueStream.objects.all()), "today": dt.date.today()})
    demo_modes.seed_agile_commitments(ctx)
    assert list(typed.order_by("id").values_list("id", "committed_size")) == before
