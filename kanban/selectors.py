"""Reads for the portfolio Kanban: the board's columns, an epic's transition timeline and the
epic-level flow (cumulative flow of the board's states)."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Lead, RowNumber
from django.utils import timezone

from kanban.models import ENTRY_CHECKS, EntryCheck, EntryPolicyOption, Transition, WipLimit
from portfolio.models import BOARD_STATES, EPIC_FLOW, MMP, Epic, EpicState, MMPStatus
from portfolio.people import display_name
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.delivery import MEDIAN, P85, SecondsBetween, percentiles_by_value_stream, percentiles_sql

# A column shows its best-ranked cards; the rest are counted with a "Show all 143" link that
# opens that one column (`?show=<state>`). Even an opened column stops at SHOWN_MAX: done keeps
# growing forever, and a page of thousands of cards helps nobody ("and 340 more").
CARDS_PER_COLUMN = 25
SHOWN_MAX = 1000


@dataclass
class Column:
    state: str
    label: str
    cards: list = field(default_factory=list)
    count: int = 0  # epics in the column that match the filters
    wip: int = 0  # epics in the column within the WIP limit's scope
    limit: int | None = None
    limit_scope: str = ""
    expanded: bool = False  # the column the reader opened with "Show all"

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


@dataclass(slots=True)
class Card:
    """What a board card shows, read as plain values (no model instance per card): the owner's
    name is already written by the one naming rule, so the template only places strings."""

    id: int
    key: str
    title: str
    state: str
    version: int
    value_stream_id: int
    value_stream_name: str
    wsjf: float | None
    estimated_cost_cents: int | None
    owner_name: str | None  # None: no owner
    state_changed_at: dt.datetime
    forecast_p85: dt.date | None = None


# The card's columns: the window sorts only these (selecting every epic column made PostgreSQL
# sort wide rows, the long texts too, and spill the sort to disk).
CARD_VALUES = (
    "id",
    "key",
    "title",
    "state",
    "version",
    "value_stream_id",
    "value_stream__name",
    "wsjf",
    "estimated_cost_cents",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "state_changed_at",
)


def _columns_with_cards(epics: QuerySet, show: str | None = None) -> dict[str, Column]:
    """The columns in flow order with their best-ranked cards and filtered counts, one query:
    a window function numbers the cards within each column so the database cuts each column at
    CARDS_PER_COLUMN (the `show` column at SHOWN_MAX), another counts the column. `epics` are live
    epics or history rows of a day."""
    if show not in BOARD_STATES:
        show = None  # only a column's own state reaches the query (a NUL would be a 500 on PostgreSQL)
    ranked = epics.annotate(
        column_rank=Window(RowNumber(), partition_by=[F("state")], order_by=list(RANK_ORDER)),
        # Each card carries its column's count, so no second pass over the epics counts them
        # (as of a day, that pass found every epic's history row again). A column without a
        # card has no epic: it keeps its count of 0.
        column_count=Window(Count("id"), partition_by=[F("state")]),
    )
    if show is None:
        # A constant cut lets PostgreSQL stop numbering a column at its 25th card (a run
        # condition on the window) instead of numbering every epic and filtering after.
        ranked = ranked.filter(column_rank__lte=CARDS_PER_COLUMN)
    else:
        # One comparison against the window (an OR mixing it with a column is not supported).
        ranked = ranked.annotate(
            column_cut=Case(When(state=show, then=Value(SHOWN_MAX)), default=Value(CARDS_PER_COLUMN))
        ).filter(column_rank__lte=F("column_cut"))
    ranked = ranked.order_by("state", "column_rank").values_list(*CARD_VALUES, "column_count")
    columns = {state: Column(state=state, label=EpicState(state).label) for state in BOARD_STATES}
    if show in columns:
        columns[show].expanded = True
    # Each row is the Card's own fields in CARD_VALUES order (id ... estimated cost), then the
    # owner's name parts, the state change and the column's count.
    for *fields, owner_id, first_name, last_name, username, changed_at, column_count in ranked:
        owner_name = (
            None
            if owner_id is None
            else display_name(None, first_name=first_name, last_name=last_name, username=username)
        )
        card = Card(*fields, owner_name, changed_at)
        columns[card.state].cards.append(card)
        columns[card.state].count = column_count
    return columns


def _apply_wip_limits(columns: dict[str, Column], value_stream_id: int | None) -> set[str]:
    """Put each column's WIP limit on it (one query): with a value stream chosen its own limits
    win over the portfolio's. Returns the states limited per value stream."""
    limits = WipLimit.objects.filter(value_stream__isnull=True)
    if value_stream_id is not None:
        limits = WipLimit.objects.filter(Q(value_stream__isnull=True) | Q(value_stream_id=value_stream_id))
    stream_limited: set[str] = set()
    for limit in limits.order_by(F("value_stream_id").asc(nulls_first=True)):
        column = columns[limit.state]
        column.limit = limit.limit
        column.limit_scope = "value stream" if limit.value_stream_id else "portfolio"
        if limit.value_stream_id:
            stream_limited.add(limit.state)
    return stream_limited


def board_columns(
    *, epics: QuerySet[Epic], value_stream_id: int | None = None, show: str | None = None
) -> list[Column]:
    """The board: columns in flow order with their best-ranked cards, counts and WIP.

    Four queries whatever the number of epics: the ranked cards, the filtered counts per column,
    the WIP limits and the WIP counts per column (of all epics, or of the chosen stream where
    its own limit applies).
    """
    columns = _columns_with_cards(epics, show)
    stream_limited = _apply_wip_limits(columns, value_stream_id)
    wip = (
        Epic.objects.order_by()
        .values("state")
        .annotate(total=Count("id"), in_stream=Count("id", filter=Q(value_stream_id=value_stream_id)))
    )
    for row in wip:
        column = columns[row["state"]]
        column.wip = row["in_stream"] if row["state"] in stream_limited else row["total"]
    return list(columns.values())


def board_columns_as_of(
    *, epics: QuerySet, value_stream_id: int | None = None, show: str | None = None
) -> list[Column]:
    """The board as it stood: `epics` are history rows as of a day (`portfolio.selectors.history.
    epics_as_of`, filtered). Same shape as `board_columns`, one query fewer: WIP is the count of
    that day's epics in the column, against today's limits (WIP limits are not history-tracked)."""
    columns = _columns_with_cards(epics, show)
    _apply_wip_limits(columns, value_stream_id)
    for column in columns.values():
        column.wip = column.count
    return list(columns.values())


def epic_transitions(*, epic: Epic) -> QuerySet[Transition]:
    return Transition.objects.filter(epic=epic).select_related("by").order_by("at", "id")


# --- epic-level flow: cumulative flow of the portfolio Kanban --------------------------------


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def epic_cumulative_flow(*, value_stream_id: int | None = None, start: dt.date, end: dt.date) -> dict:
    """Cumulative flow of a stream's epics (None: the whole portfolio's): per Kanban state, how
    many epics had reached it by each day (first arrival, so a backward move does not make the
    band shrink).

    One query: first arrival per (epic, state) from the `Transition` log, counted per state and
    day in SQL; the running total over at most states x days aggregated rows is summed here.
    """
    moves = Transition.objects.filter(to_state__in=EPIC_FLOW)
    if value_stream_id is not None:
        moves = moves.filter(epic__value_stream_id=value_stream_id)
    first_arrivals = (
        moves.order_by().values("epic_id", "to_state").annotate(first_at=Min("at")).values("to_state", "first_at")
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


# --- time to value and epic-level flow (issue 12) ----------------------------------------------
#
# Time to value of an epic: days from entering the funnel (its creation) and from its go
# decision to its first MVP/MMP release (`released_on`), and from the funnel to done (its last
# move to done). A value stream's median and 85th percentile run over the epics whose first
# release falls in the period. Epic cycle time: first arrival in the portfolio backlog to the
# last move to done, over epics done in the period. Days are exact (seconds / 86,400).

DAY = 86400.0


def _first_release():
    return Subquery(
        MMP.objects.filter(epic=OuterRef("pk"), status=MMPStatus.RELEASED, released_on__isnull=False)
        .order_by("released_on")
        .values("released_on")[:1]
    )


def _last_move(to_state: str):
    return Subquery(Transition.objects.filter(epic=OuterRef("pk"), to_state=to_state).order_by("-at").values("at")[:1])


def _first_move(to_state: str):
    return Subquery(Transition.objects.filter(epic=OuterRef("pk"), to_state=to_state).order_by("at").values("at")[:1])


def with_time_to_value(epics: QuerySet[Epic]) -> QuerySet[Epic]:
    """Epics with `first_release_on`, `done_at`, `backlog_at` and the seconds of
    `to_release_seconds` (funnel -> first release), `go_to_release_seconds` (go decision ->
    first release), `to_done_seconds` (funnel -> done), `cycle_seconds` (backlog -> done)."""
    return epics.annotate(
        first_release_on=_first_release(),
        done_at=_last_move(EpicState.DONE),
        backlog_at=_first_move(EpicState.BACKLOG),
    ).annotate(
        to_release_seconds=SecondsBetween(F("first_release_on"), F("created_at")),
        go_to_release_seconds=SecondsBetween(F("first_release_on"), F("go_decision_at")),
        to_done_seconds=SecondsBetween(F("done_at"), F("created_at")),
        cycle_seconds=SecondsBetween(F("done_at"), F("backlog_at")),
    )


def epic_time_to_value(*, epic_id: int) -> dict[str, float | None]:
    """One epic's time to value in days: `to_release` (funnel -> first MVP/MMP release),
    `go_to_release` (go decision -> first release), `to_done` (funnel -> done); None where the
    epic has not got there yet. One query."""
    row = with_time_to_value(Epic.objects.filter(id=epic_id)).values(
        "to_release_seconds", "go_to_release_seconds", "to_done_seconds"
    )[0]
    return {
        name: None if row[f"{name}_seconds"] is None else round(row[f"{name}_seconds"] / DAY, 1)
        for name in ("to_release", "go_to_release", "to_done")
    }


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _days_pair(found: dict[int, list[float]]) -> dict[int, tuple[float, float]]:
    return {vs: (round(median / DAY, 1), round(p85 / DAY, 1)) for vs, (median, p85) in found.items()}


def time_to_value_days(*, start: dt.date, end: dt.date, value_stream_ids=None) -> dict[int, tuple[float, float]]:
    """Per value stream: (median, 85th percentile) days from the funnel to the first release,
    over epics whose first release is in [start, end]. One query."""
    epics = with_time_to_value(Epic.objects.all()).filter(first_release_on__gte=start, first_release_on__lte=end)
    if value_stream_ids is not None:
        epics = epics.filter(value_stream_id__in=list(value_stream_ids))
    return _days_pair(percentiles_by_value_stream(epics, value=F("to_release_seconds"), fractions=(MEDIAN, P85)))


def epic_cycle_time_days(*, start: dt.date, end: dt.date, value_stream_ids=None) -> dict[int, tuple[float, float]]:
    """Per value stream: (median, 85th percentile) days from backlog to done over epics done in
    [start, end]. One query."""
    start_at, end_at = _day_start(start), _day_start(end + dt.timedelta(days=1))
    epics = with_time_to_value(Epic.objects.filter(state=EpicState.DONE)).filter(
        done_at__gte=start_at, done_at__lt=end_at
    )
    if value_stream_ids is not None:
        epics = epics.filter(value_stream_id__in=list(value_stream_ids))
    return _days_pair(percentiles_by_value_stream(epics, value=F("cycle_seconds"), fractions=(MEDIAN, P85)))


def epic_throughput(*, start: dt.date, end: dt.date, value_stream_ids=None) -> dict[int, int]:
    """Per value stream: epics moved to done in [start, end] (each epic once). One query."""
    moves = Transition.objects.filter(
        to_state=EpicState.DONE, at__gte=_day_start(start), at__lt=_day_start(end + dt.timedelta(days=1))
    )
    if value_stream_ids is not None:
        moves = moves.filter(epic__value_stream_id__in=list(value_stream_ids))
    rows = moves.order_by().values("epic__value_stream_id").annotate(n=Count("epic_id", distinct=True))
    return {row["epic__value_stream_id"]: row["n"] for row in rows}


def last_value_release(*, until: dt.date | None = None, value_stream_ids=None) -> dict[int, dt.date]:
    """Per value stream: the day of its latest MVP/MMP release up to `until` (streams without
    one are absent)."""
    rows = MMP.objects.filter(status=MMPStatus.RELEASED, released_on__isnull=False)
    if until is not None:
        rows = rows.filter(released_on__lte=until)
    if value_stream_ids is not None:
        rows = rows.filter(epic__value_stream_id__in=list(value_stream_ids))
    return dict(
        rows.order_by()
        .values("epic__value_stream_id")
        .annotate(last=Max("released_on"))
        .values_list("epic__value_stream_id", "last")
    )


def no_value_days() -> int:
    """A value stream without a release of user value for this many days is flagged (a setting)."""
    return int(getattr(settings, "NO_VALUE_RELEASE_DAYS", 90))


def time_in_state_days(*, value_stream_id: int | None = None, now: dt.datetime | None = None) -> dict[str, float]:
    """Mean days an epic stays in each Kanban state, from the `Transition` log: each move's stay
    ends at the epic's next move (or now, for the state it is in). One query."""
    now = now or timezone.now()
    moves = Transition.objects.all()
    if value_stream_id is not None:
        moves = moves.filter(epic__value_stream_id=value_stream_id)
    stays = moves.annotate(
        left_at=Window(Lead("at"), partition_by=[F("epic_id")], order_by=[F("at").asc(), F("id").asc()])
    ).values("to_state", "at", "left_at")
    inner, params = stays.query.sql_with_params()
    if connection.vendor == "sqlite":
        seconds = "(julianday(COALESCE(left_at, %s)) - julianday(at)) * 86400.0"
        now_param = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        seconds = "EXTRACT(EPOCH FROM (COALESCE(left_at, %s) - at))"
        now_param = now
    sql = f"SELECT to_state, AVG({seconds}) FROM ({inner}) AS stays GROUP BY to_state"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, (now_param, *params))
        rows = cursor.fetchall()
    return {state: round(float(avg) / DAY, 1) for state, avg in rows if avg is not None}


@dataclass(frozen=True)
class EntryPolicyRow:
    state: str
    state_label: str
    check: str
    label: str
    required: bool


def entry_policy_rows() -> list[EntryPolicyRow]:
    """Every optional entry check of every column with whether it applies (one query)."""
    off = set(EntryPolicyOption.objects.filter(required=False).values_list("state", "entry_check"))
    return [
        EntryPolicyRow(
            state=state,
            state_label=EpicState(state).label,
            check=check,
            label=EntryCheck(check).label,
            required=(state, check) not in off,
        )
        for state, checks in ENTRY_CHECKS.items()
        for check in checks
    ]


def wip_limit_list() -> QuerySet[WipLimit]:
    """The WIP limits, portfolio-wide first, then per value stream (one query)."""
    return WipLimit.objects.select_related("value_stream").order_by(
        F("value_stream__name").asc(nulls_first=True), "state"
    )


# --- project (waterfall) mode on the epic page ------------------------------------------------


@dataclass
class EpicProject:
    """What the epic page shows of a project-mode epic: its plan, earned value on `today`, the
    timeline of phases and milestones (baseline against forecast) and its stage gates."""

    plan: object | None
    earned_value: object | None
    timeline: object | None
    phases: list
    milestones: list
    gates: list
    implementing_gate: str


def epic_project(*, epic: Epic, today: dt.date) -> EpicProject | None:
    """None unless the epic is in project mode (its own, else its stream's); otherwise a fixed
    number of queries (plan, phases, milestones, gates and decisions, earned value)."""
    from funding.selectors.earned_value import epic_earned_value
    from portfolio.models import DeliveryMode
    from portfolio.selectors.projects import (
        milestones_of_epic,
        phases_of_epic,
        project_plan_of_epic,
        project_timeline,
        stage_gates_of_epic,
    )

    if epic.effective_delivery_mode != DeliveryMode.PROJECT:
        return None
    plan = project_plan_of_epic(epic_id=epic.id)
    phases = list(phases_of_epic(epic_id=epic.id))
    milestones = list(milestones_of_epic(epic_id=epic.id))
    return EpicProject(
        plan=plan,
        earned_value=epic_earned_value(epic_id=epic.id, as_of=today) if plan else None,
        timeline=project_timeline(phases=phases, milestones=milestones, today=today),
        phases=phases,
        milestones=milestones,
        gates=list(stage_gates_of_epic(epic_id=epic.id)),
        implementing_gate=settings.PROJECT_IMPLEMENTING_GATE,
    )


# --- governance flow (issue 18) ----------------------------------------------------------------
#
# How long the VMO's own governance holds epics: per epic, its time in reviewing, analyzing and
# the portfolio backlog over the stays that ended in the period (a stay runs from a move into
# the state to the epic's next move); median and 85th percentile over epics, per state.

GOVERNANCE_STATES = (EpicState.REVIEWING, EpicState.ANALYZING, EpicState.BACKLOG)


@dataclass(frozen=True)
class GovernanceFlow:
    state: str
    label: str
    epics: int
    median_days: float | None
    p85_days: float | None


def governance_flow_days(*, start: dt.date, end: dt.date, value_stream_id: int | None = None) -> list[GovernanceFlow]:
    """Per governance state (in flow order): epics that left it in [start, end] and the median
    and 85th percentile of their days in it ("no data": None, 0 epics). One query."""
    moves = Transition.objects.all()
    if value_stream_id is not None:
        # Whole epics are kept or dropped, so each epic's next move is still found.
        moves = moves.filter(epic__value_stream_id=value_stream_id)
    moves = moves.annotate(
        left_at=Window(Lead("at"), partition_by=[F("epic_id")], order_by=[F("at").asc(), F("id").asc()])
    ).values("epic_id", "to_state", "at", "left_at")
    inner, params = moves.query.sql_with_params()
    if connection.vendor == "sqlite":
        seconds = "((julianday(left_at) - julianday(at)) * 86400.0)"
    else:
        seconds = "EXTRACT(EPOCH FROM (left_at - at))"
    states = ", ".join(["%s"] * len(GOVERNANCE_STATES))
    stays = (
        f"SELECT to_state AS pg, SUM({seconds}) AS pv FROM ({inner}) AS moves "  # noqa: S608
        f"WHERE to_state IN ({states}) AND left_at IS NOT NULL AND left_at >= %s AND left_at < %s "
        "GROUP BY epic_id, to_state"
    )
    window = [
        connection.ops.adapt_datetimefield_value(_day_start(start)),
        connection.ops.adapt_datetimefield_value(_day_start(end + dt.timedelta(days=1))),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            percentiles_sql(stays, (MEDIAN, P85), with_count=True),
            (*params, *[str(state) for state in GOVERNANCE_STATES], *window),
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    labels = dict(EpicState.choices)
    result = []
    for state in GOVERNANCE_STATES:
        median, p85, n = found.get(state, (None, None, 0))
        result.append(
            GovernanceFlow(
                state=state,
                label=labels[state],
                epics=int(n or 0),
                median_days=None if median is None else round(float(median) / DAY, 1),
                p85_days=None if p85 is None else round(float(p85) / DAY, 1),
            )
        )
    return result
