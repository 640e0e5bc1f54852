"""Reads for the executive overview at `/`: one row per value stream from its latest snapshot.

Snapshots hold one row per value stream x quarter x day; the overview wants the latest of each
value stream in a quarter. Every figure is read through a correlated subquery that the index
`snapshot_latest_idx` (quarter, value_stream, -as_of) answers, so the page costs the same
number of queries for 5 or 500 value streams, and the database sorts and totals.
"""

import datetime as dt
import functools
import json
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.template.defaultfilters import floatformat

from funding.selectors import allocation_changes, allocations_of_quarter
from okrs.scoring import band_label, score_band
from okrs.selectors import key_result_target_changes, key_result_targets
from portfolio.models import Epic, Quarter, Risk, RoamStatus, ValueStream
from portfolio.modes import mode_rules
from portfolio.money import NO_VALUE, format_amount, format_percent
from portfolio.selectors.epics import epic_open_ranks, epic_state_changes
from vmo.models import PlanningEvent, PlanningEventKind, PlanningEventStatus, ValueStreamSnapshot
from vmo.plan_snapshot import PlannedEpic, PlannedKeyResult, PlanSnapshot

# Figures copied from the latest snapshot onto each value stream row, with their field types.
SNAPSHOT_FIELDS = {
    "as_of": None,
    "allocated_cents": IntegerField(),
    "spent_cents": IntegerField(),
    "forecast_cents": IntegerField(),
    "okr_score": FloatField(),
    "delivery_progress": FloatField(),
    "flow_velocity": IntegerField(),
    "flow_time_median_days": FloatField(),
    "dora_level": None,
    "dora_detail": JSONField(),
}

# Figures of the previous quarter's latest snapshot that the overview shows deltas of.
PREVIOUS_FIELDS = ("spent_cents", "okr_score", "delivery_progress", "flow_velocity")

DORA_LEVELS = ("elite", "high", "medium", "low")
DORA_LABELS = {"elite": "Elite", "high": "High", "medium": "Medium", "low": "Low"}

# ?sort= allowlist: the key users see in the URL -> the annotation ordered by.
SORTS = {
    "name": "name",
    "allocated": "allocated_cents",
    "spent": "spent_cents",
    "forecast": "forecast_cents",
    "okr": "okr_score",
    "progress": "delivery_progress",
    "velocity": "flow_velocity",
    "flow_time": "flow_time_median_days",
    "dora": "dora_rank",
    "risks": "open_risks",
}
DEFAULT_SORT = "name"


def latest_snapshot_rows(*, quarter_ref) -> QuerySet[ValueStreamSnapshot]:
    """Snapshots of the value stream at OuterRef('pk') in `quarter_ref`, latest first.

    No `-id` tie-break: `snapshot_unique_day` allows one snapshot per stream, quarter and day, so
    `-as_of` decides alone and `snapshot_latest_idx` returns the rows in order (with `-id` the
    database sorted each stream's snapshots again)."""
    return ValueStreamSnapshot.objects.filter(value_stream=OuterRef("pk"), quarter=quarter_ref).order_by("-as_of")


def latest_snapshots(*, quarters) -> QuerySet[ValueStreamSnapshot]:
    """The latest snapshot of every value stream in each of `quarters` (a list).

    Driven from the value streams: one probe of `snapshot_latest_idx` per stream and quarter. The
    former `id = (the latest of this snapshot's stream)` ran that probe once per snapshot, 30 a
    day per stream, and PostgreSQL planned the join around it badly (30 ms for 500 streams)."""
    latest = Q()
    for quarter in quarters:
        newest = latest_snapshot_rows(quarter_ref=quarter.pk if isinstance(quarter, Quarter) else quarter)
        latest |= Q(id__in=ValueStream.objects.annotate(latest=Subquery(newest.values("id")[:1])).values("latest"))
    if not latest:
        return ValueStreamSnapshot.objects.none()
    return ValueStreamSnapshot.objects.filter(latest)


def _dora_rank():
    """Elite sorts as the best (4), no level as 0."""
    return Case(
        *[When(dora_level=level, then=Value(len(DORA_LEVELS) - i)) for i, level in enumerate(DORA_LEVELS)],
        default=Value(0),
        output_field=IntegerField(),
    )


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """`?sort=-spent` -> ('spent', True); anything off the allowlist falls back to the name."""
    sort = (sort or "").strip()
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def _figures(rows: QuerySet, names) -> Subquery:
    """The latest snapshot's `names` as one JSON object: one index probe per stream, where a
    subquery per figure probed the index once per figure (14 probes a stream, 30 ms for 500)."""
    return Subquery(rows.values(figures=JSONObject(**{name: name for name in names}))[:1], output_field=JSONField())


def _as_dict(figures) -> dict:
    if isinstance(figures, str):  # a JSON column read through a subquery can come back as text
        figures = json.loads(figures)
    return figures or {}


def _minus(a, b):
    """`a - b` as SQL subtracts: None when either side is missing."""
    return None if a is None or b is None else a - b


def overview_rows(
    *, quarter: Quarter, previous: Quarter | None = None, sort: str = DEFAULT_SORT, descending: bool = False
) -> list[ValueStream]:
    """Active value streams with their latest snapshot's figures in `quarter` (None where the
    rollup has not run yet), open risks, and deltas against `previous` quarter's latest snapshot.
    One query, sorted by the database with empty figures last; the figures arrive as one JSON
    object per snapshot and are copied onto each row here."""
    latest = latest_snapshot_rows(quarter_ref=quarter.pk)
    # Open risks by a join and GROUP BY over the streams (one pass over the risks table), where
    # a count subquery per stream scanned the table once per stream (most of the query's time).
    rows = ValueStream.objects.active().annotate(
        latest_figures=_figures(latest, SNAPSHOT_FIELDS),
        open_risks=Count("risks", filter=~Q(risks__roam_status=RoamStatus.RESOLVED)),
    )
    if previous is not None:
        before = latest_snapshot_rows(quarter_ref=previous.pk)
        rows = rows.annotate(previous_figures=_figures(before, PREVIOUS_FIELDS))
    column = SORTS[sort]
    if column in SNAPSHOT_FIELDS:  # the sorted figure again as a typed column, for the database to order by
        field = SNAPSHOT_FIELDS[column]
        rows = rows.annotate(**{column: Subquery(latest.values(column)[:1], output_field=field)})
    elif column == "dora_rank":
        rows = rows.annotate(dora_level=Subquery(latest.values("dora_level")[:1])).annotate(dora_rank=_dora_rank())
    order = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    rows = list(rows.order_by(order, "name", "id"))
    for row in rows:
        figures = _as_dict(row.latest_figures)
        for name in SNAPSHOT_FIELDS:
            setattr(row, name, figures.get(name))
        if isinstance(row.as_of, str):
            row.as_of = dt.date.fromisoformat(row.as_of)
        if isinstance(row.dora_detail, str):
            row.dora_detail = json.loads(row.dora_detail)
        if previous is not None:
            before = _as_dict(row.previous_figures)
            for name in PREVIOUS_FIELDS:
                setattr(row, f"prev_{name}", before.get(name))
                setattr(row, f"delta_{name}", _minus(getattr(row, name), before.get(name)))
    return rows


@functools.lru_cache(maxsize=4096)
def _flow_time_text(days) -> str:
    """One decimal as the `floatformat:1` filter writes it, a dash without data. Cached by value
    (medians repeat): the filter's Decimal and locale work was a tenth of a 500-stream page."""
    text = floatformat(days, 1) if days is not None else ""
    return text or NO_VALUE


def with_bands(rows) -> list:
    """Evaluate the rows and label each with its OKR band and display labels (no queries).

    Each figure's display text is written here once, in one pass, rather than by a template
    filter per cell: with 500 streams the page has thousands of cells and the filter machinery
    was most of its time. The formats are `portfolio.money`'s."""
    rows = list(rows)
    for row in rows:
        row.allocated_text = format_amount(row.allocated_cents)
        row.spent_text = format_amount(row.spent_cents)
        row.forecast_text = format_amount(row.forecast_cents)
        row.okr_text = format_percent(row.okr_score)
        row.progress_text = format_percent(row.delivery_progress)
        row.velocity_text = NO_VALUE if row.flow_velocity is None else str(row.flow_velocity)
        row.flow_time_text = _flow_time_text(row.flow_time_median_days)
        if hasattr(row, "delta_spent_cents"):
            row.delta_spent_text = format_amount(row.delta_spent_cents)
            row.delta_okr_text = format_percent(row.delta_okr_score)
            row.delta_progress_text = format_percent(row.delta_delivery_progress)
            row.delta_velocity_text = NO_VALUE if row.delta_flow_velocity is None else str(row.delta_flow_velocity)
        row.band = score_band(row.okr_score)
        row.band_label = band_label(row.band)
        graded = (row.dora_detail or {}).get("graded", 0)
        not_graded = (row.dora_detail or {}).get("not_graded", "")
        row.mode_label = mode_rules(row.delivery_mode).label
        if not_graded:
            row.dora_label = not_graded
        elif row.dora_level:
            label = DORA_LABELS.get(row.dora_level, row.dora_level)
            row.dora_label = f"{label} ({graded} of 4 metrics)" if graded else label
        else:
            row.dora_label = "no data" if row.as_of else "—"
    return rows


@dataclass(frozen=True)
class Totals:
    """Portfolio totals over the latest snapshots of active value streams in one quarter."""

    value_streams: int
    allocated_cents: int
    spent_cents: int
    forecast_cents: int | None
    okr_score: float | None
    delivery_progress: float | None
    flow_velocity: int
    open_risks: int

    @property
    def band(self) -> str:
        return score_band(self.okr_score)

    @property
    def band_label(self) -> str:
        return band_label(self.band)


def _latest_figures_by_quarter(quarters) -> dict[int, dict]:
    """The sums and means of every active stream's latest snapshot, per quarter (one grouped
    query; a quarter without snapshots has no entry). Sums stay None over no figures, as SQL has
    them: the trend shows a gap there, the totals a zero."""
    rows = (
        latest_snapshots(quarters=quarters)
        .filter(value_stream__active=True)
        .order_by()
        .values("quarter")
        .annotate(
            value_streams=Count("id"),
            allocated_cents=Sum("allocated_cents"),
            spent_cents=Sum("spent_cents"),
            forecast_cents=Sum("forecast_cents"),
            okr_score=Avg("okr_score"),
            delivery_progress=Avg("delivery_progress"),
            flow_velocity=Sum("flow_velocity"),
        )
    )
    return {row.pop("quarter"): row for row in rows}


def _open_risks_count() -> int:
    # Its own query: joining risks to snapshots would multiply the sums (the fan-out trap).
    return Risk.objects.filter(value_stream__active=True).exclude(roam_status=RoamStatus.RESOLVED).count()


def _totals(figures: dict | None, open_risks: int) -> Totals:
    figures = figures or {}
    return Totals(
        value_streams=figures.get("value_streams", 0),
        allocated_cents=figures.get("allocated_cents") or 0,
        spent_cents=figures.get("spent_cents") or 0,
        forecast_cents=figures.get("forecast_cents"),  # None: no stream has a forecast yet
        okr_score=figures.get("okr_score"),
        delivery_progress=figures.get("delivery_progress"),
        flow_velocity=figures.get("flow_velocity") or 0,
        open_risks=open_risks,
    )


def portfolio_totals(*, quarter: Quarter) -> Totals:
    """Sums of money and velocity, means of OKR score and delivery progress, open risks. Two queries."""
    return _totals(_latest_figures_by_quarter([quarter]).get(quarter.pk), _open_risks_count())


def _trend_point(quarter: Quarter, figures: dict | None) -> dict:
    names = ("allocated_cents", "spent_cents", "okr_score", "delivery_progress", "flow_velocity")
    figures = figures or {}
    return {**{name: figures.get(name) for name in names}, "quarter": quarter.code}


@dataclass(frozen=True)
class PortfolioFigures:
    totals: Totals
    previous_totals: Totals | None
    trend: list[dict]


def portfolio_figures(*, quarter: Quarter, previous: Quarter | None, count: int = 4) -> PortfolioFigures:
    """The overview's totals for `quarter` and `previous`, and its trend: the main figures per
    quarter for the last `count` quarters up to `quarter`, each from the latest snapshot of every
    value stream in that quarter. One grouped query over those snapshots (three queries in all,
    where asking for each apart took six)."""
    quarters = list(Quarter.objects.filter(start__lte=quarter.start).order_by("-start")[:count])
    read = quarters if previous is None or previous in quarters else [*quarters, previous]
    figures = _latest_figures_by_quarter(read)
    open_risks = _open_risks_count()
    return PortfolioFigures(
        totals=_totals(figures.get(quarter.pk), open_risks),
        previous_totals=_totals(figures.get(previous.pk), open_risks) if previous else None,
        trend=[_trend_point(q, figures.get(q.pk)) for q in reversed(quarters)],
    )


# --- then and now: the plan as it stood when the quarter's planning event closed ---------------


@dataclass(frozen=True)
class PlanChanges:
    """What changed since the quarter's plan was made. `source` says where "then" came from for
    each part: 'snapshot' (the event's plan_snapshot) or 'history' (simple-history as of the
    event's close)."""

    event: PlanningEvent | None
    taken_at: dt.datetime | None
    allocations: list[dict]
    epics: list[dict]
    key_results: list[dict]
    sources: dict[str, str]

    @property
    def changed(self) -> bool:
        return bool(self.allocations or self.epics or self.key_results)


def closed_planning_event(*, quarter: Quarter) -> PlanningEvent | None:
    return (
        PlanningEvent.objects.filter(
            quarter=quarter, kind=PlanningEventKind.QUARTERLY_PLANNING, status=PlanningEventStatus.CLOSED
        )
        .order_by(F("closed_at").desc(nulls_last=True), "-id")
        .first()
    )


def _allocations_from_snapshot(*, quarter: Quarter, planned: dict[int, int]) -> list[dict]:
    now = {row["value_stream_id"]: row for row in allocations_of_quarter(quarter=quarter)}
    names = dict(ValueStream.objects.filter(id__in=planned.keys() - now.keys()).values_list("id", "name"))
    slugs = dict(ValueStream.objects.filter(id__in=planned.keys() - now.keys()).values_list("id", "slug"))
    changes = []
    for vs_id in planned.keys() | now.keys():
        then, row = planned.get(vs_id), now.get(vs_id)
        now_cents = row["amount_cents"] if row else None
        if then != now_cents:
            name = row["name"] if row else names.get(vs_id, "")
            slug = row["slug"] if row else slugs.get(vs_id, "")
            changes.append({"id": vs_id, "name": name, "slug": slug, "now_cents": now_cents, "then_cents": then})
    return sorted(changes, key=lambda change: change["name"])


def _epics_from_snapshot(*, planned: dict[int, PlannedEpic]) -> list[dict]:
    ranks = epic_open_ranks(ids=planned.keys())  # the planned epics' positions, not every open epic's
    epics = Epic.objects.filter(id__in=planned.keys()).order_by("key").values("id", "key", "title", "state")
    changes = []
    for epic in epics:
        plan = planned[epic["id"]]
        now_rank = ranks.get(epic["id"])
        rank_changed = plan.rank is not None and plan.rank != now_rank
        state_changed = plan.state is not None and plan.state != epic["state"]
        if rank_changed or state_changed:
            changes.append(
                {**epic, "then_rank": plan.rank, "now_rank": now_rank, "then_state": plan.state or epic["state"]}
            )
    return changes


def _key_results_from_snapshot(*, planned: dict[int, PlannedKeyResult]) -> list[dict]:
    return [
        {**row, "then_target": planned[row["id"]].target}
        for row in key_result_targets(ids=planned.keys())
        if planned[row["id"]].target != row["target"]
    ]


def plan_changes(*, quarter: Quarter) -> PlanChanges:
    """Allocations, epic ranks and states, and KR targets that changed since the quarter's
    quarterly planning event closed. Each part reads the event's `plan_snapshot` when it holds
    that part, else the history tables as of the close; a constant number of queries."""
    event = closed_planning_event(quarter=quarter)
    plan = PlanSnapshot.from_json(event.plan_snapshot) if event else None
    when = (plan.taken_at or event.closed_at) if event else None
    if event is None or when is None:
        return PlanChanges(event=event, taken_at=None, allocations=[], epics=[], key_results=[], sources={})
    sources = {}
    if plan.allocations is not None:
        allocations = _allocations_from_snapshot(quarter=quarter, planned=plan.allocations)
        sources["allocations"] = "snapshot"
    else:
        allocations = allocation_changes(quarter=quarter, since=when)
        sources["allocations"] = "history"
    if plan.epics is not None:
        epics = _epics_from_snapshot(planned=plan.epics)
        sources["epics"] = "snapshot"
    else:
        epics = [{**row, "then_rank": None, "now_rank": None} for row in epic_state_changes(since=when)]
        sources["epics"] = "history"
    if plan.key_results is not None:
        key_results = _key_results_from_snapshot(planned=plan.key_results)
        sources["key_results"] = "snapshot"
    else:
        key_results = key_result_target_changes(quarter=quarter, since=when)
        sources["key_results"] = "history"
    return PlanChanges(
        event=event, taken_at=when, allocations=allocations, epics=epics, key_results=key_results, sources=sources
    )
