"""The demo epics and their Kanban history: over every state, consistent with policies."""

import copy
import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from kanban.models import Transition
from kanban.services import entry_conditions
from portfolio.models import MMP, Dependency, Epic, EpicState, Risk

# The module's tests share one seeded demo (`seeded_demo`: a minute or more on PostgreSQL); that
# seeding again changes nothing is tests/vmo/test_seed_demo.py's (it counts every table).
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]


def test_the_demo_covers_every_state(seeded_demo):
    by_state = dict(Epic.objects.values_list("state").annotate(n=Count("id")))
    assert by_state == {
        "funnel": 35,
        "reviewing": 20,
        "analyzing": 17,  # 16 + the epic whose MVP was invalidated and pivoted
        "backlog": 25,
        "implementing": 21,
        "done": 22,
        "not_pursued": 10,
    }
    assert MMP.objects.exists() and Risk.objects.exists() and Dependency.objects.exists()


def test_demo_epics_meet_the_entry_policies_of_their_state_and_history_spans_six_months(seeded_demo):
    for epic in Epic.objects.exclude(state__in=[EpicState.FUNNEL, EpicState.NOT_PURSUED]):
        fresh = copy.copy(epic)
        fresh.state = EpicState.FUNNEL
        assert entry_conditions(epic=fresh, to_state=epic.state) == [], epic.key
    oldest = Transition.objects.order_by("at").values_list("at", flat=True).first()
    assert oldest < timezone.now() - dt.timedelta(days=120)
    assert oldest > timezone.now() - dt.timedelta(days=184)
    funnel_epic = Epic.objects.filter(state="reviewing").first()
    assert list(Transition.objects.filter(epic=funnel_epic).values_list("to_state", flat=True))[-1] == "reviewing"


def test_demo_epic_titles_and_hypotheses_are_the_streams_own(seeded_demo):
    epics = Epic.objects.values_list("value_stream__slug", "title", "hypothesis_the")
    titles = [title for _, title, _ in epics]
    # no title twice, anywhere in the portfolio
    assert len(titles) == len(set(titles)) == 150
    # each stream's solutions are its own: no hypothesis shared by two streams
    streams_of: dict[str, set[str]] = {}
    for slug, _, solution in epics:
        if solution:
            streams_of.setdefault(solution, set()).add(slug)
    assert all(len(slugs) == 1 for slugs in streams_of.values())
    assert Epic.objects.get(key="PAY-1").title == "Instant payouts"
    assert Epic.objects.filter(value_stream__slug="payments", title="Instant payouts, phase 2").count() == 1
