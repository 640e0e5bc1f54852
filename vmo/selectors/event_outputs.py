"""Reads for what an event records beyond planning outputs: the agenda's timeboxes against the
time taken, the inspect and adapt's system demo, workshops and retrospective, and the quarter's
results it inspects (from the rollup snapshots and the OKR selectors, against last quarter)."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum

from okrs.selectors import objective_scores_of_quarter
from portfolio.models import Quarter
from portfolio.selectors.base import quarter_previous
from vmo.models import (
    RETROSPECTIVE_KINDS,
    ActionItem,
    AgendaItem,
    PlanningEvent,
    PlanningEventKind,
    ProblemWorkshop,
    RetroNote,
    RetroNoteKind,
    SystemDemo,
    ValueStreamSnapshot,
)
from vmo.selectors.snapshots import snapshot_latest


@dataclass(frozen=True)
class Timebox:
    """An agenda's planned minutes against the minutes it took. `actual_minutes` sums the lines
    whose time was recorded; `planned_of_timed` is what those same lines were planned to take,
    so the difference compares like with like while the meeting is still running."""

    planned_minutes: int
    actual_minutes: int
    planned_of_timed: int
    lines: int
    timed_lines: int

    @property
    def over_minutes(self) -> int | None:
        """Minutes over (positive) or under (negative) the plan of the lines timed; None if none."""
        return self.actual_minutes - self.planned_of_timed if self.timed_lines else None


def agenda_timebox(*, event_id: int) -> Timebox:
    """Totals of an event's agenda, summed in the database (one query)."""
    totals = AgendaItem.objects.filter(event_id=event_id).aggregate(
        planned=Sum("planned_minutes", default=0),
        actual=Sum("actual_minutes", default=0),
        planned_of_timed=Sum("planned_minutes", filter=Q(actual_minutes__isnull=False), default=0),
        lines=Count("id"),
        timed=Count("id", filter=Q(actual_minutes__isnull=False)),
    )
    return Timebox(
        planned_minutes=totals["planned"],
        actual_minutes=totals["actual"],
        planned_of_timed=totals["planned_of_timed"],
        lines=totals["lines"],
        timed_lines=totals["timed"],
    )


@dataclass
class EventOutputs:
    timebox: Timebox
    demos: list = field(default_factory=list)
    workshops: list = field(default_factory=list)
    went_well: list = field(default_factory=list)
    to_improve: list = field(default_factory=list)


def event_outputs(*, event: PlanningEvent) -> EventOutputs:
    """Timebox totals, and what the event's kind records: an inspect and adapt's demos and
    workshops with their improvement items, a retrospective's notes. A constant number of
    queries whatever their number (one for the timebox, up to four more by kind)."""
    outputs = EventOutputs(timebox=agenda_timebox(event_id=event.pk))
    if event.kind == PlanningEventKind.INSPECT_AND_ADAPT:
        improvements = ActionItem.objects.select_related("owner").order_by("rank", "id")
        outputs.demos = list(SystemDemo.objects.filter(event=event).select_related("presented_by", "epic"))
        outputs.workshops = list(
            ProblemWorkshop.objects.filter(event=event).prefetch_related(Prefetch("improvements", improvements))
        )
    if event.kind in RETROSPECTIVE_KINDS:
        # Two short lists from one query; splitting them here is not arithmetic over rows.
        notes = list(RetroNote.objects.filter(event=event).select_related("author").order_by("kind", "id"))
        outputs.went_well = [n for n in notes if n.kind == RetroNoteKind.WENT_WELL]
        outputs.to_improve = [n for n in notes if n.kind == RetroNoteKind.TO_IMPROVE]
    return outputs


# The figures inspect and adapt compares, each read from a snapshot: (key, label, unit, better).
# `unit` picks the formatting; `better` says which way is an improvement ("up", "down", "").
RESULT_FIGURES = (
    ("predictability", "Predictability (delivered / planned business value)", "percent", ""),
    ("okr_score", "OKR score", "percent", "up"),
    ("flow_velocity", "Flow velocity (items done)", "count", "up"),
    ("flow_time_median_days", "Flow time, median (days)", "number", "down"),
    ("flow_efficiency", "Flow efficiency", "percent", "up"),
    ("flow_load", "Flow load (items in progress)", "count", ""),
    ("deployments_per_week", "Deployments per week", "number", "up"),
    ("lead_time_median_hours", "Lead time for changes, median (hours)", "number", "down"),
    ("change_failure_rate", "Change failure rate", "percent", "down"),
    ("recovery_time_median_hours", "Failed deployment recovery time, median (hours)", "number", "down"),
    ("dora_level", "DORA level", "text", ""),
)


def _figure(snapshot: ValueStreamSnapshot | None, key: str):
    if snapshot is None:
        return None
    if key == "predictability":
        return (snapshot.value_detail or {}).get("predictability")
    value = getattr(snapshot, key)
    return value if value != "" else None


@dataclass(frozen=True)
class ResultFigure:
    key: str
    label: str
    unit: str
    now: object
    before: object
    better: str

    @property
    def trend(self) -> str:
        """ "better", "worse", "same" or "" (no comparison: a side without data, or no direction)."""
        if self.now is None or self.before is None or not self.better or self.unit == "text":
            return ""
        if self.now == self.before:
            return "same"
        return "better" if (self.now > self.before) == (self.better == "up") else "worse"


@dataclass
class StreamResults:
    value_stream_id: int
    name: str
    figures: list[ResultFigure]
    planned_business_value: int | None
    delivered_business_value: int | None


@dataclass
class QuarterResults:
    quarter: Quarter
    previous: Quarter | None
    streams: list[StreamResults]
    objectives: list[dict]

    @property
    def empty(self) -> bool:
        return not self.streams and not self.objectives


def quarter_results(*, quarter: Quarter) -> QuarterResults:
    """The quarter's results per value stream against last quarter, from each quarter's latest
    rollup snapshot, and the quarter's OKR grades (four queries whatever the number of streams).

    A figure without data is None on either side ("no data"), never 0.
    """
    previous = quarter_previous(quarter=quarter)
    now = {s.value_stream_id: s for s in snapshot_latest(quarter=quarter)}
    before = {s.value_stream_id: s for s in snapshot_latest(quarter=previous)} if previous else {}
    names = {s.value_stream_id: s.value_stream.name for s in [*before.values(), *now.values()]}
    streams = []
    for vs_id in sorted(names, key=lambda i: (names[i], i)):  # one row per stream, a handful
        snap, prev = now.get(vs_id), before.get(vs_id)
        detail = (snap.value_detail or {}) if snap else {}
        streams.append(
            StreamResults(
                value_stream_id=vs_id,
                name=names[vs_id],
                figures=[
                    ResultFigure(
                        key=key, label=label, unit=unit, now=_figure(snap, key), before=_figure(prev, key), better=b
                    )
                    for key, label, unit, b in RESULT_FIGURES
                ],
                planned_business_value=detail.get("planned_business_value"),
                delivered_business_value=detail.get("delivered_business_value"),
            )
        )
    return QuarterResults(
        quarter=quarter,
        previous=previous,
        streams=streams,
        objectives=objective_scores_of_quarter(quarter=quarter),
    )
