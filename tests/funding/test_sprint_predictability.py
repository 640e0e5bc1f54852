"""Issue 18 point 3: velocity, say/do ratio and burn-up from team sprints, hand-computed.

Stream S has two teams, as of 31 July 2026 (window: sprints ended 8 May - 31 July):
- Team A links work items. Sprint 1 (1-14 July): 3 (done 5 July) + 5 (done 14 July) + an unsized
  active item (counts 1): committed 9, done 8. Sprint 2 (15-28 July): 2 (done 20 July) + 8 (done
  30 July, after the sprint: not done in it): committed 10, done 2.
  Velocity (8 + 2) / 2 = 5.0; say/do 10 / 19 = 0.5263.
- Team B types its figures: 10/7 (1-14 July), 10/10 (15-28 July); an April sprint (50/50) ended
  before the window and an August one after it: not counted. Velocity 8.5; say/do 17 / 20 = 0.85.
Stream: velocity 5.0 + 8.5 = 13.5; say/do 27 / 39 = 0.6923.
"""

import datetime as dt

import pytest

from funding.selectors import sprints as sel
from tests.factories import TeamFactory, TeamSprintFactory, ValueStreamFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 7, 31)


def item(vs, size, finished_day=None):
    finished = dt.datetime(2026, 7, finished_day, 12, tzinfo=dt.UTC) if finished_day else None
    return WorkItemFactory(
        value_stream=vs,
        size=size,
        status="done" if finished else "active",
        started_at=dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC),
        finished_at=finished,
    )


@pytest.fixture
def stream():
    vs = ValueStreamFactory(delivery_mode="agile")
    team_a = TeamFactory(value_stream=vs, name="A")
    team_b = TeamFactory(value_stream=vs, name="B")
    a1 = TeamSprintFactory(
        team=team_a,
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 7, 14),
        items=[item(vs, 3, 5), item(vs, 5, 14), item(vs, None)],
    )
    TeamSprintFactory(
        team=team_a, start=dt.date(2026, 7, 15), end=dt.date(2026, 7, 28), items=[item(vs, 2, 20), item(vs, 8, 30)]
    )
    for start, end, committed, done in (
        (dt.date(2026, 4, 1), dt.date(2026, 4, 14), 50, 50),
        (dt.date(2026, 7, 1), dt.date(2026, 7, 14), 10, 7),
        (dt.date(2026, 7, 15), dt.date(2026, 7, 28), 10, 10),
        (dt.date(2026, 7, 29), dt.date(2026, 8, 11), 10, 0),
    ):
        TeamSprintFactory(team=team_b, start=start, end=end, committed_size=committed, done_size=done)
    return vs, team_a, team_b, a1


def test_each_sprint_reads_typed_figures_first_else_its_work_items(stream):
    vs, *_ = stream

    rows = sel.sprint_rows().filter(team__value_stream=vs).order_by("team__name", "start")

    assert [(r.team.name, r.start.day, r.committed, r.done) for r in rows] == [
        ("A", 1, 9, 8),
        ("A", 15, 10, 2),
        ("B", 1, 50, 50),
        ("B", 1, 10, 7),
        ("B", 15, 10, 10),
        ("B", 29, 10, 0),
    ]


def test_team_velocity_and_say_do(stream):
    _, team_a, team_b, _ = stream

    figures = sel.team_predictability(team_ids=[team_a.id, team_b.id], as_of=AS_OF)

    assert figures[team_a.id] == sel.Predictability(sprints=2, committed=19, done=10, velocity=5.0, say_do=0.5263)
    assert figures[team_b.id] == sel.Predictability(sprints=2, committed=20, done=17, velocity=8.5, say_do=0.85)


def test_stream_velocity_sums_its_teams_and_say_do_pools_their_sprints(stream):
    vs, *_ = stream
    empty = ValueStreamFactory()
    TeamFactory(value_stream=empty)  # a team without sprints: no data, not zero

    figures = sel.value_stream_predictability(value_stream_ids=[vs.id, empty.id], as_of=AS_OF)

    assert figures == {vs.id: sel.Predictability(sprints=4, committed=39, done=27, velocity=13.5, say_do=0.6923)}


def test_stream_burnup_runs_committed_and_done_over_sprint_ends(stream):
    vs, *_ = stream

    burnup = sel.value_stream_burnup(value_stream_id=vs.id, as_of=AS_OF)

    assert burnup == {"labels": ["2026-07-14", "2026-07-28"], "committed": [19, 39], "done": [15, 27]}


def test_sprint_burnup_counts_done_size_per_day_against_the_commitment(stream):
    *_, a1 = stream
    sprint = sel.sprint_rows().get(pk=a1.pk)

    burnup = sel.sprint_burnup(sprint=sprint)

    assert burnup["labels"][0] == "2026-07-01"
    assert burnup["labels"][-1] == "2026-07-14"
    assert burnup["done"] == [0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 8]
    assert burnup["committed"] == 9


def test_predictability_is_a_constant_number_of_queries(stream, django_assert_num_queries):
    vs, team_a, team_b, _ = stream
    for n in range(5):
        team = TeamFactory(value_stream=vs, name=f"More {n}")
        TeamSprintFactory(team=team, committed_size=4, done_size=n)

    with django_assert_num_queries(1):
        sel.team_predictability(team_ids=[team_a.id, team_b.id], as_of=AS_OF)
    with django_assert_num_queries(1):
        sel.value_stream_predictability(value_stream_ids=[vs.id], as_of=AS_OF)
    with django_assert_num_queries(1):
        sel.value_stream_burnup(value_stream_id=vs.id, as_of=AS_OF)
