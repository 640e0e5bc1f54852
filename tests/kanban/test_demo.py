"""The demo epics and their Kanban history: idempotent, over every state, consistent with policies."""

import copy
import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from kanban.models import Transition, WipLimit
from kanban.services import entry_conditions
from portfolio.models import MMP, Dependency, Epic, EpicState, Risk

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Epic.objects.count(),
        MMP.objects.count(),
        Risk.objects.count(),
        Dependency.objects.count(),
        Transition.objects.count(),
        WipLimit.objects.count(),
        Epic.history.count(),
    )


def test_seed_demo_is_idempotent_and_covers_every_state():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)

    assert _counts() == first
    by_state = dict(Epic.objects.values_list("state").annotate(n=Count("id")))
    assert by_state == {
        "funnel": 35,
        "reviewing": 20,
        "analyzing": 16,
        "backlog": 25,
        "implementing": 22,
        "done": 22,
        "not_pursued": 10,
    }
    assert first[1] > 0 and first[2] > 0 and first[3] > 0


def test_demo_epics_meet_the_entry_policies_of_their_state_and_history_spans_six_months():
    call_command("seed_demo", verbosity=0)

    for epic in Epic.objects.exclude(state__in=[EpicState.FUNNEL, EpicState.NOT_PURSUED]):
        fresh = copy.copy(epic)
        fresh.state = EpicState.FUNNEL
        assert entry_conditions(epic=fresh, to_state=epic.state) == [], epic.key
    oldest = Transition.objects.order_by("at").values_list("at", flat=True).first()
    assert oldest < timezone.now() - dt.timedelta(days=120)
    assert oldest > timezone.now() - dt.timedelta(days=184)
    funnel_epic = Epic.objects.filter(state="reviewing").first()
    assert list(Transition.objects.filter(epic=funnel_epic).values_list("to_state", flat=True))[-1] == "reviewing"
