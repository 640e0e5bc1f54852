"""Reads for the portfolio Kanban: the board's columns, an epic's transition timeline and the
epic-level flow (cumulative flow of the board's states)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from kanban.models import Transition, WipLimit
from portfolio.models import BOARD_STATES, EPIC_FLOW, Epic, EpicState
from portfolio.querysets import RANK_ORDER

# A column shows its best-ranked cards; the rest are counted ("and 340 more"). Done keeps
# growing forever, and a page of thousands of cards helps nobody.
CARDS_PER_COLUMN = 100


@dataclass
class Column:
    state: str
    label: str
    cards: list = field(default_factory=list)
    count: int = 0  # epics in the column that match the filters
    wip: int = 0  # epics in the column within the WIP limit's scope
    limit: int | None = None
    limit_scope: str = ""

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @property
    def at_limit(self) -> bool:
        return self.limit is not None and self.wip >= self.limit

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.wip > self.limit

    @property
    def collapsed(self) -> bool:
        return self.state == EpicState.NOT_PURSUED


def board_columns(*, epics: QuerySet[Epic], value_stream_id: int | None = None) -> list[Column]:
    """The board: columns in flow order with their best-ranked cards, counts and WIP.

    Four queries whatever the number of epics: the ranked cards (a window function numbers the
    cards within each column so the database cuts each column at CARDS_PER_COLUMN), the filtered
    counts per column, the WIP counts per column, and the WIP limits. With a value stream chosen
    its own limits are shown, else the portfolio-wide ones.
    """
    ranked = (
        epics.select_related("value_stream", "owner")
        .with_is_scored()
        .annotate(
            column_rank=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[F("is_unscored").asc(), *RANK_ORDER[1:]],
            )
        )
        .filter(column_rank__lte=CARDS_PER_COLUMN)
        .order_by("state", "column_rank")
    )
    columns = {state: Column(state=state, label=EpicState(state).label) for state in BOARD_STATES}
    for epic in ranked:
        columns[epic.state].cards.append(epic)
    for row in epics.order_by().values("state").annotate(n=Count("id")):
        columns[row["state"]].count = row["n"]

    limits = WipLimit.objects.filter(value_stream__isnull=True)
    if value_stream_id is not None:
        limits = WipLimit.objects.filter(Q(value_stream__isnull=True) | Q(value_stream_id=value_stream_id))
    stream_limited: set[str] = set()
    for limit in limits.order_by(F("value_stream_id").asc(nulls_first=True)):
        column = columns[limit.state]
        # A stream's own limit, when there is one, wins over the portfolio's on that stream's view.
        column.limit = limit.limit
        column.limit_scope = "value stream" if limit.value_stream_id else "portfolio"
        if limit.value_stream_id:
            stream_limited.add(limit.state)
    wip = (
        Epic.objects.order_by()
        .values("state")
        .annotate(total=Count("id"), in_stream=Count("id", filter=Q(value_stream_id=value_stream_id)))
    )
    for row in wip:
        column = columns[row["state"]]
        column.wip = row["in_stream"] if row["state"] in stream_limited else row["total"]
    return list(columns.values())


def epic_transitions(*, epic: Epic) -> QuerySet[Transition]:
    return Transition.objects.filter(epic=epic).select_related("by").order_by("at", "id")


# --- epic-level flow: cumulative flow of the portfolio Kanban --------------------------------


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def epic_cumulative_flow(*, value_stream_id: int, start: dt.date, end: dt.date) -> dict:
    """Cumulative flow of a stream's epics: per Kanban state, how many epics had reached it by
    each day (first arrival, so a backward move does not make the band shrink).

    One query: first arrival per (epic, state) from the `Transition` log, counted per state and
    day in SQL; the running total over at most states x days aggregated rows is summed here.
    """
    first_arrivals = (
        Transition.objects.filter(epic__value_stream_id=value_stream_id, to_state__in=EPIC_FLOW)
        .order_by()
        .values("epic_id", "to_state")
        .annotate(first_at=Min("at"))
        .values("to_state", "first_at")
    )
    inner, params = first_arrivals.query.sql_with_params()
    day = "date(first_at)" if connection.vendor == "sqlite" else "CAST(first_at AS DATE)"
    sql = f"SELECT to_state, {day} AS day, COUNT(*) FROM ({inner}) AS arrivals GROUP BY to_state, {day}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counted = cursor.fetchall()
    days = _days(start, end)
    per_state: dict[str, dict[dt.date, int]] = {state: {} for state in EPIC_FLOW}
    before: dict[str, int] = dict.fromkeys(EPIC_FLOW, 0)
    for state, day_value, count in counted:
        day_value = day_value if isinstance(day_value, dt.date) else dt.date.fromisoformat(str(day_value))
        if day_value < start:
            before[state] += count
        else:
            per_state[state][day_value] = per_state[state].get(day_value, 0) + count
    series = {}
    for state in EPIC_FLOW:
        running, points = before[state], []
        for d in days:
            running += per_state[state].get(d, 0)
            points.append(running)
        series[state] = points
    return {
        "labels": [d.isoformat() for d in days],
        "states": [{"state": s, "label": EpicState(s).label, "counts": series[s]} for s in EPIC_FLOW],
    }


def epics_done_between(*, start_at: dt.datetime, end_at: dt.datetime, value_stream=None) -> QuerySet[Epic]:
    """Epics whose move to done happened in [start_at, end_at), with `done_at` (the last such
    move) and their value stream, in the order they were done."""
    done_in_window = Transition.objects.filter(
        epic=OuterRef("pk"), to_state=EpicState.DONE, at__gte=start_at, at__lt=end_at
    )
    epics = Epic.objects.filter(Exists(done_in_window))
    if value_stream is not None:
        epics = epics.filter(value_stream=value_stream)
    return (
        epics.select_related("value_stream")
        .annotate(done_at=Subquery(done_in_window.order_by().values("epic").annotate(last=Max("at")).values("last")))
        .order_by("done_at", "key")
    )
