"""The monthly report's executive summary: KPI tiles, three sentences of what changed, the
charts' series and the figures per value stream, all as of the end of the month.

"As of the end of the month" is the latest snapshot of each value stream dated inside the month's
quarter and before the next month starts; for the current month that is today's. Every figure
comes from the database (subqueries and aggregates over snapshots): a constant number of
queries whatever the number of value streams.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    FloatField,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from funding.selectors import spend_by_value_stream
from okrs.scoring import band_label, score_band
from portfolio.models import MMP, ValueStream
from portfolio.modes import MODE_ORDER, mode_rules
from portfolio.money import format_amount, format_percent
from vmo.models import ValueStreamSnapshot
from vmo.selectors.overview import DORA_LABELS, DORA_LEVELS
from vmo.selectors.reports import MonthlyReport, month_bounds

# Figures of each value stream's latest snapshot shown in the report's detail and charts.
STREAM_FIGURES = {
    "as_of": None,
    "allocated_cents": IntegerField(),
    "spent_cents": IntegerField(),
    "forecast_cents": IntegerField(),
    "okr_score": FloatField(),
    "delivery_progress": FloatField(),
    "flow_velocity": IntegerField(),
    "flow_time_median_days": FloatField(),
    "deployments_per_week": FloatField(),
    "lead_time_median_hours": FloatField(),
    "dora_level": None,
    "dora_detail": JSONField(),
}


@dataclass(frozen=True)
class ReportSummary:
    """What an executive reads first: tiles, three sentences, chart series, rows per stream."""

    as_of: dt.date | None
    allocated_cents: int
    spent_cents: int
    forecast_cents: int | None
    okr_score: float | None
    delivery_progress: float | None
    dora_levels: list[tuple[str, int]]
    sentences: list[str]
    streams: list
    okr_trend: list[tuple[dt.date, float]]

    @property
    def band(self) -> str:
        return score_band(self.okr_score)

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    @property
    def dora_summary(self) -> str:
        if not self.dora_levels:
            return "no data"
        return ", ".join(f"{count} {DORA_LABELS[level].lower()}" for level, count in self.dora_levels)


def _latest_in(*, quarter, before: dt.date, value_stream_ref="pk") -> QuerySet[ValueStreamSnapshot]:
    return ValueStreamSnapshot.objects.filter(
        value_stream=OuterRef(value_stream_ref), quarter=quarter, as_of__lt=before
    ).order_by("-as_of", "-id")


def stream_figures(*, quarter, before: dt.date, value_stream: ValueStream | None) -> QuerySet[ValueStream]:
    """Active value streams (or the one) with their latest snapshot's figures before `before`,
    grouped by delivery mode (project, agile, continuous) and by name within a mode."""
    latest = _latest_in(quarter=quarter, before=before)
    annotations = {
        name: Subquery(latest.values(name)[:1], output_field=field) if field else Subquery(latest.values(name)[:1])
        for name, field in STREAM_FIGURES.items()
    }
    streams = ValueStream.objects.active()
    if value_stream is not None:
        streams = streams.filter(pk=value_stream.pk)
    mode_rank = Case(
        *[When(delivery_mode=mode, then=Value(i)) for i, mode in enumerate(MODE_ORDER)],
        default=Value(len(MODE_ORDER)),
        output_field=IntegerField(),
    )
    return streams.annotate(**annotations, mode_rank=mode_rank).order_by("mode_rank", "name", "id")


def with_mode_labels(rows) -> list:
    """Evaluate the rows and label each with its mode and its DORA grade as shown (no queries):
    a project stream that does not deploy reads "not graded: ...", not "no data"."""
    rows = list(rows)
    for row in rows:
        row.mode_label = mode_rules(row.delivery_mode).label
        not_graded = (row.dora_detail or {}).get("not_graded", "")
        row.dora_label = not_graded or (row.dora_level or "no data").capitalize()
    return rows


def _latest_snapshots(*, quarter, before: dt.date, value_stream: ValueStream | None):
    newest = _latest_in(quarter=quarter, before=before, value_stream_ref="value_stream")
    snapshots = ValueStreamSnapshot.objects.filter(
        quarter=quarter, as_of__lt=before, value_stream__active=True, id=Subquery(newest.values("id")[:1])
    )
    if value_stream is not None:
        snapshots = snapshots.filter(value_stream=value_stream)
    return snapshots


def _okr_trend(*, quarter, before: dt.date, value_stream: ValueStream | None) -> list[tuple[dt.date, float]]:
    """The mean OKR score of the streams per snapshot day of the quarter up to `before`."""
    days = ValueStreamSnapshot.objects.filter(
        quarter=quarter, as_of__lt=before, value_stream__active=True, okr_score__isnull=False
    )
    if value_stream is not None:
        days = days.filter(value_stream=value_stream)
    rows = days.order_by().values("as_of").annotate(score=Avg("okr_score")).order_by("as_of")
    return [(row["as_of"], row["score"]) for row in rows]


def _mmps_released(*, start: dt.date, end: dt.date, value_stream: ValueStream | None) -> int:
    mmps = MMP.objects.filter(released_on__gte=start, released_on__lt=end)
    if value_stream is not None:
        mmps = mmps.filter(epic__value_stream=value_stream)
    return mmps.count()


def _more_or_less(now: int, before: int) -> str:
    if now > before:
        return "more than"
    if now < before:
        return "less than"
    return "the same as"


def _sentences(*, report: MonthlyReport, totals: dict, trend, previous_spend_cents: int, previous_mmps: int):
    month, quarter = report.month, report.quarter
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    scope = report.scope
    money = (
        f"{scope} spent {format_amount(report.spend_total_cents)} in {month:%B}, "
        f"{_more_or_less(report.spend_total_cents, previous_spend_cents)} "
        f"{format_amount(previous_spend_cents)} in {previous:%B}"
    )
    if totals["allocated_cents"]:
        money += (
            f"; {format_percent(totals['spent_cents'] / totals['allocated_cents'])} of the "
            f"{format_amount(totals['allocated_cents'])} allocated for {quarter.code} is spent and "
            + (
                "there is no forecast yet (no month of the quarter has booked spend)"
                if totals["forecast_cents"] is None
                else f"the forecast is {format_amount(totals['forecast_cents'])}"
            )
        )
    released = len(report.mmps_released)
    delivery = (
        f"{released} MMP{'s' if released != 1 else ''} released ({previous_mmps} in {previous:%B}) and "
        f"{len(report.epics_done)} epic{'s' if len(report.epics_done) != 1 else ''} completed"
    )
    if totals["delivery_progress"] is not None:
        delivery += f"; epics in implementation are {format_percent(totals['delivery_progress'])} delivered"
    if trend:
        first, last = trend[0][1], trend[-1][1]
        moved = "rose" if last > first else "fell" if last < first else "held"
        outcome = (
            f"The OKR score {moved} from {format_percent(first)} on {trend[0][0]:%d %B} to "
            f"{format_percent(last)} ({band_label(score_band(last)).lower()})"
        )
    else:
        outcome = "No OKR score yet: no key result of the quarter has been measured"
    return [f"{money}.", f"{delivery}.", f"{outcome}."]


def report_summary(*, report: MonthlyReport) -> ReportSummary | None:
    """The summary of `report`'s month and scope; None when no quarter covers the month."""
    quarter = report.quarter
    if quarter is None:
        return None
    start, end = month_bounds(report.month)
    value_stream = report.value_stream
    totals = _latest_snapshots(quarter=quarter, before=end, value_stream=value_stream).aggregate(
        as_of=Max("as_of"),
        allocated_cents=Coalesce(Sum("allocated_cents"), 0),
        spent_cents=Coalesce(Sum("spent_cents"), 0),
        forecast_cents=Sum("forecast_cents"),  # None: no stream has a forecast yet
        okr_score=Avg("okr_score"),
        delivery_progress=Avg("delivery_progress"),
    )
    levels = (
        _latest_snapshots(quarter=quarter, before=end, value_stream=value_stream)
        .exclude(dora_level="")
        .order_by()
        .values("dora_level")
        .annotate(n=Count("id"))
    )
    counted = Counter({row["dora_level"]: row["n"] for row in levels})
    previous_start = (start - dt.timedelta(days=1)).replace(day=1)
    _, previous_spend = spend_by_value_stream(start=previous_start, end=start, value_stream=value_stream)
    previous_mmps = _mmps_released(start=previous_start, end=start, value_stream=value_stream)
    trend = _okr_trend(quarter=quarter, before=end, value_stream=value_stream)
    return ReportSummary(
        as_of=totals["as_of"],
        allocated_cents=totals["allocated_cents"],
        spent_cents=totals["spent_cents"],
        forecast_cents=totals["forecast_cents"],
        okr_score=totals["okr_score"],
        delivery_progress=totals["delivery_progress"],
        dora_levels=[(level, counted[level]) for level in DORA_LEVELS if counted[level]],
        sentences=_sentences(
            report=report,
            totals=totals,
            trend=trend,
            previous_spend_cents=previous_spend,
            previous_mmps=previous_mmps,
        ),
        streams=with_mode_labels(stream_figures(quarter=quarter, before=end, value_stream=value_stream)),
        okr_trend=trend,
    )
