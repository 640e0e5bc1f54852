"""Reads for the portfolio Kanban: the board's columns and an epic's transition timeline."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from kanban.models import Transition, WipLimit
from portfolio.models import Epic, EpicState
from portfolio.querysets import RANK_ORDER

BOARD_STATES = (
    EpicState.FUNNEL,
    EpicState.REVIEWING,
    EpicState.ANALYZING,
    EpicState.BACKLOG,
    EpicState.IMPLEMENTING,
    EpicState.DONE,
    EpicState.NOT_PURSUED,
)
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
