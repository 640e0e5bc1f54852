"""Agile predictability from team sprints: velocity, say/do ratio and the sprint burn-up.

A sprint's figures (`sprint_rows`):
- committed = its typed `committed_size`, else the size of its linked work items;
- done = its typed `done_size`, else the size of its linked work items that are done with a
  finish day on or before the sprint's last day (an item finished later was not done in it).
An item without size counts 1, as in delivery progress. Each figure is a correlated subquery
over the sprint <-> work item link table (one table per subquery, so no fan-out).

Over the sprints that ended in the last `PREDICTABILITY_WEEKS` weeks up to a day:
- a team's velocity = mean done size per sprint; its say/do = done / committed (None when it
  committed nothing);
- a value stream's velocity = the sum of its teams' velocities (what the stream finishes per
  sprint cadence); its say/do = done / committed over all its teams' sprints.
Every figure is computed by the database; None means no sprint in the window ("no data").
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from funding.models import Team, TeamSprint
from portfolio.models import WorkItemStatus

PREDICTABILITY_WEEKS = 12

SprintItem = TeamSprint.work_items.through


def _items_size(*, done: bool):
    rows = SprintItem.objects.filter(teamsprint_id=OuterRef("pk"))
    if done:
        rows = rows.filter(workitem__status=WorkItemStatus.DONE, workitem__finished_at__date__lte=OuterRef("end"))
    rows = (
        rows.order_by()
        .values("teamsprint_id")
        .annotate(total=Sum(Coalesce("workitem__size", Value(1)), output_field=IntegerField()))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def sprint_rows() -> QuerySet[TeamSprint]:
    """Sprints annotated with `committed` and `done` (typed first, else from work items)."""
    return TeamSprint.objects.annotate(
        items_committed=_items_size(done=False), items_done=_items_size(done=True)
    ).annotate(
        committed=Coalesce(F("committed_size"), F("items_committed"), output_field=IntegerField()),
        done=Coalesce(F("done_size"), F("items_done"), output_field=IntegerField()),
    )


def predictability_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The sprints counted: ended after `as_of` - 12 weeks and on or before `as_of`."""
    return as_of - dt.timedelta(weeks=PREDICTABILITY_WEEKS), as_of


@dataclass(frozen=True)
class Predictability:
    """Velocity (done size per sprint), say/do (done / committed) and their inputs."""

    sprints: int = 0
    committed: int = 0
    done: int = 0
    velocity: float | None = None
    say_do: float | None = None


def _say_do(done: int, committed: int) -> float | None:
    return round(done / committed, 4) if committed else None


def _windowed(as_of: dt.date) -> QuerySet[TeamSprint]:
    start, end = predictability_window(as_of)
    return sprint_rows().filter(end__gt=start, end__lte=end)


def team_predictability(
    *, as_of: dt.date, team_ids: Iterable[int] | None = None, value_stream_id: int | None = None
) -> dict[int, Predictability]:
    """Per team (those named, or a value stream's): its sprints in the window, committed and
    done size, velocity and say/do. One query."""
    rows = _windowed(as_of)
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    if value_stream_id is not None:
        rows = rows.filter(team__value_stream_id=value_stream_id)
    rows = (
        rows.order_by()
        .values("team_id")
        .annotate(
            n=Count("id"),
            committed_total=Sum("committed"),
            done_total=Sum("done"),
            velocity=Avg(Cast("done", FloatField())),
        )
    )
    return {
        row["team_id"]: Predictability(
            sprints=row["n"],
            committed=row["committed_total"] or 0,
            done=row["done_total"] or 0,
            velocity=round(row["velocity"], 4),
            say_do=_say_do(row["done_total"] or 0, row["committed_total"] or 0),
        )
        for row in rows
    }


def value_stream_predictability(*, value_stream_ids: Iterable[int], as_of: dt.date) -> dict[int, Predictability]:
    """Per value stream: the sum of its teams' velocities and say/do over all their sprints in
    the window. One query: each team's figures are correlated subqueries, summed per stream."""
    start, end = predictability_window(as_of)

    def per_team(expression):
        rows = (
            sprint_rows()
            .filter(team_id=OuterRef("pk"), end__gt=start, end__lte=end)
            .order_by()
            .values("team_id")
            .annotate(figure=expression)
            .values("figure")
        )
        return Subquery(rows)

    rows = (
        Team.objects.filter(value_stream_id__in=list(value_stream_ids))
        .annotate(
            team_sprints=per_team(Count("id")),
            team_committed=per_team(Sum("committed")),
            team_done=per_team(Sum("done")),
            team_velocity=per_team(Avg(Cast("done", FloatField()))),
        )
        .order_by()
        .values("value_stream_id")
        .annotate(
            n=Sum("team_sprints", output_field=IntegerField()),
            committed_total=Sum("team_committed", output_field=IntegerField()),
            done_total=Sum("team_done", output_field=IntegerField()),
            velocity=Sum("team_velocity", output_field=FloatField()),
        )
        .filter(Q(n__gt=0))
    )
    return {
        row["value_stream_id"]: Predictability(
            sprints=row["n"],
            committed=row["committed_total"] or 0,
            done=row["done_total"] or 0,
            velocity=round(row["velocity"], 4),
            say_do=_say_do(row["done_total"] or 0, row["committed_total"] or 0),
        )
        for row in rows
    }


def value_stream_burnup(*, value_stream_id: int, as_of: dt.date) -> dict:
    """The stream's burn-up over its sprints in the window: per sprint end day, the committed
    and done size summed by the database; the chart's lines are their running totals."""
    rows = (
        _windowed(as_of)
        .filter(team__value_stream_id=value_stream_id)
        .order_by()
        .values("end")
        .annotate(committed_total=Sum("committed"), done_total=Sum("done"))
        .order_by("end")
    )
    labels, scope, done = [], [], []
    committed_running = done_running = 0
    for row in rows:  # one point per sprint end day: a chart series, not a rollup
        committed_running += row["committed_total"] or 0
        done_running += row["done_total"] or 0
        labels.append(row["end"].isoformat())
        scope.append(committed_running)
        done.append(done_running)
    return {"labels": labels, "committed": scope, "done": done}


def sprint_burnup(*, sprint: TeamSprint) -> dict:
    """One sprint's burn-up: per day of the sprint, the done size of its linked work items
    finished by that day, against its committed size (the scope line). One grouped query."""
    rows = (
        SprintItem.objects.filter(
            teamsprint_id=sprint.pk,
            workitem__status=WorkItemStatus.DONE,
            workitem__finished_at__date__lte=sprint.end,
        )
        .annotate(day=F("workitem__finished_at__date"))
        .order_by()
        .values("day")
        .annotate(size=Sum(Coalesce("workitem__size", Value(1)), output_field=IntegerField()))
    )
    by_day = {row["day"]: row["size"] for row in rows}
    before = sum(size for day, size in by_day.items() if day < sprint.start)  # done before it began
    labels, done, running = [], [], before
    day = sprint.start
    while day <= sprint.end:  # the sprint's days (two weeks, typically)
        running += by_day.get(day, 0)
        labels.append(day.isoformat())
        done.append(running)
        day += dt.timedelta(days=1)
    return {"labels": labels, "done": done, "committed": getattr(sprint, "committed", None)}


def value_stream_sprint_panel(*, value_stream_id: int, as_of: dt.date) -> dict:
    """What an agile stream's page shows: the stream's predictability, each active team's, and
    the stream's burn-up. Four queries whatever the number of teams and sprints."""
    teams = list(Team.objects.filter(value_stream_id=value_stream_id, active=True).order_by("name", "id"))
    figures = team_predictability(value_stream_id=value_stream_id, as_of=as_of)
    start, end = predictability_window(as_of)
    return {
        "stream": value_stream_predictability(value_stream_ids=[value_stream_id], as_of=as_of).get(value_stream_id),
        "teams": [(team, figures.get(team.id)) for team in teams],
        "burnup": value_stream_burnup(value_stream_id=value_stream_id, as_of=as_of),
        "window_start": start,
        "window_end": end,
    }


def team_sprint_panel(*, team: Team, as_of: dt.date) -> dict:
    """The team page's predictability and the burn-up of its latest sprint begun by `as_of`."""
    latest = sprint_rows().filter(team=team, start__lte=as_of).order_by("-start", "-id").first()
    start, end = predictability_window(as_of)
    return {
        "figures": team_predictability(team_ids=[team.id], as_of=as_of).get(team.id),
        "sprint": latest,
        "burnup": sprint_burnup(sprint=latest) if latest else None,
        "window_start": start,
        "window_end": end,
    }
