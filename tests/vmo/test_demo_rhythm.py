"""The demo's rhythm (issue 20): a past inspect and adapt with demo, workshop and improvement
items, two retrospectives, long-term backlog items; seeding twice gives the same data."""

import datetime as dt
from types import SimpleNamespace

import pytest

from portfolio import roles
from tests.factories import ActionItemFactory, EpicFactory, QuarterFactory, TeamFactory, UserFactory
from vmo.demo_rhythm import seed_rhythm
from vmo.models import ActionItem, AgendaItem, PlanningEvent, ProblemWorkshop, RetroNote, SystemDemo

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(value_stream):
    users = {
        "director": UserFactory(username="d", roles=[roles.DIRECTOR]),
        "pm": UserFactory(username="p", roles=[roles.PROGRAM_MANAGER]),
        "executive": UserFactory(username="e", roles=[roles.EXECUTIVE]),
        "vsm": UserFactory(username="v", roles=[roles.VALUE_STREAM_MANAGER]),
        "vsm2": UserFactory(username="v2", roles=[roles.VALUE_STREAM_MANAGER]),
    }
    EpicFactory(value_stream=value_stream, key="PAY-1")
    TeamFactory(value_stream=value_stream, name="Rockets")
    ActionItemFactory(title="Agree the funding guardrails for next quarter")
    quarters = {"last": QuarterFactory(code="2026-Q2"), "current": QuarterFactory(code="2026-Q3")}
    return SimpleNamespace(users=users, quarters=quarters, value_streams=[value_stream])


def _state():
    return (
        list(
            PlanningEvent.objects.order_by("id").values_list("kind", "quarter__code", "title", "status", "team__name")
        ),
        AgendaItem.objects.count(),
        SystemDemo.objects.count(),
        list(ProblemWorkshop.objects.order_by("id").values_list("problem", flat=True)),
        list(ActionItem.objects.order_by("id").values_list("title", "horizon", "workshop__problem")),
        RetroNote.objects.count(),
    )


def test_seed_fills_a_past_inspect_and_adapt_and_two_retrospectives(ctx):
    seed_rhythm(ctx)

    events, agenda_lines, demos, problems, items, notes = _state()
    assert events == [
        ("inspect_adapt", "2026-Q2", "Inspect and adapt 2026-Q2", "closed", None),
        ("retrospective", "2026-Q2", "VMO retrospective 2026-Q2", "closed", None),
        ("retrospective", "2026-Q3", "Rockets retrospective 2026-Q3", "open", "Rockets"),
    ]
    assert (agenda_lines, demos, notes) == (15, 3, 8)
    assert problems == ["Releases slip at the end of the quarter", "Business value is planned but not measured"]
    assert items == [
        ("Agree the funding guardrails for next quarter", "long_term", None),
        ("Automate the payments regression suite", "long_term", "Releases slip at the end of the quarter"),
        ("Give each stream its own test environment", "long_term", "Releases slip at the end of the quarter"),
        ("Name a benefit owner for every funded epic", "long_term", "Business value is planned but not measured"),
        ("Quarantine flaky end-to-end tests", "short_term", None),
    ]
    ia = PlanningEvent.objects.get(kind="inspect_adapt")
    assert list(ia.agenda.order_by("position").values_list("planned_minutes", "actual_minutes")) == [
        (60, 70),
        (30, 35),
        (30, 25),
        (90, 100),
        (15, 15),
    ]
    assert ia.date == dt.date(2026, 6, 27)


def test_seeding_twice_gives_the_same_data(ctx, django_assert_max_num_queries):
    seed_rhythm(ctx)
    first = _state()

    with django_assert_max_num_queries(12):  # found by natural keys, nothing added
        seed_rhythm(ctx)

    assert _state() == first
