"""Reads over delivery data: delivery progress, Flow Framework metrics and DORA metrics.

Every selector is ONE set-based query over all value streams at once (or the ones asked for),
grouped by value stream, and returns `{value_stream_id: figure}`. Each reads one table (plus an
EXISTS for incidents), so a value stream with many deployments and many work items never has
its figures multiplied by a join (the fan-out trap).

Percentiles (median, 85th) are computed in SQL that SQLite and PostgreSQL both run: ROW_NUMBER
and COUNT window functions over a partition per value stream, then the two neighbouring ranks
interpolated linearly. This is PostgreSQL's `percentile_cont` (which SQLite lacks): position
1 + p * (n - 1), so the median of an even count is the mean of the two middle values.

The period is a `Window` [start, end): by default the quarter up to and including `as_of`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.models import (
    MMP,
    Deployment,
    DoraBenchmark,
    Epic,
    EpicState,
    FlowItemType,
    Incident,
    Quarter,
    WorkItem,
    WorkItemStatus,
)

PRODUCTION = "production"
MEDIAN = (1, 2)
P85 = (17, 20)


@dataclass(frozen=True)
class Window:
    """A half-open period [start, end) of aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    @property
    def weeks(self) -> float:
        return max((self.end - self.start).total_seconds(), 0) / (7 * 86400)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def window_for(*, quarter: Quarter, as_of: dt.date) -> Window:
    """The quarter to date: from its first day up to the end of `as_of` (or of the quarter)."""
    last = min(as_of, quarter.end)
    return Window(start=_day_start(quarter.start), end=_day_start(last + dt.timedelta(days=1)))


class SecondsBetween(Func):
    """Whole seconds from `start` to `end`, computed in the database (SQLite and PostgreSQL)."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400.0) AS REAL)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ",
            **extra,
        )


def _scoped(qs: QuerySet, value_stream_ids: Iterable[int] | None, field_name: str = "value_stream_id") -> QuerySet:
    if value_stream_ids is None:
        return qs
    return qs.filter(**{f"{field_name}__in": list(value_stream_ids)})


def _percentiles(qs: QuerySet, *, value, fractions: tuple[tuple[int, int], ...]) -> dict[int, list[float]]:
    """Per value stream, the interpolated percentiles (`num/den` fractions) of `value` over `qs`.

    One query: the ORM builds the filtered rows (so parameters are adapted per backend), and a
    window-function wrapper ranks them within each value stream.
    """
    rows = qs.order_by().annotate(pg=F("value_stream_id"), pv=value).filter(pv__isnull=False).values("pg", "pv")
    inner_sql, params = rows.query.sql_with_params()
    columns = []
    for i, (num, den) in enumerate(fractions):
        # Integer arithmetic gives floor(p * (n - 1)) and its remainder on both backends.
        lo = f"(({num} * (n - 1)) / {den})"
        frac = f"((({num} * (n - 1)) %% {den}) * 1.0 / {den})"
        columns.append(
            f"SUM(CASE WHEN rn = {lo} + 1 THEN pv * (1.0 - {frac}) "
            f"WHEN rn = {lo} + 2 THEN pv * {frac} ELSE 0 END) AS p{i}"
        )
    # Only integers we chose and the ORM's own SQL are interpolated; values travel as params.
    sql = "SELECT pg, {columns} FROM (SELECT pg, pv, {rank} FROM ({inner}) AS ranked_source) AS ranked GROUP BY pg"
    sql = sql.format(
        columns=", ".join(columns),
        rank="ROW_NUMBER() OVER (PARTITION BY pg ORDER BY pv) AS rn, COUNT(*) OVER (PARTITION BY pg) AS n",
        inner=inner_sql,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: [float(v) for v in row[1:]] for row in cursor.fetchall()}


# --- delivery progress ------------------------------------------------------------------------


def _weight():
    return Coalesce(F("size"), Value(1), output_field=IntegerField())


def _progress_sums(qs: QuerySet, group: str) -> dict[int, float]:
    rows = (
        qs.exclude(status=WorkItemStatus.CANCELED)
        .order_by()
        .values(group)
        .annotate(
            total=Sum(_weight()),
            done=Sum(Case(When(status=WorkItemStatus.DONE, then=_weight()), default=Value(0))),
        )
        .values_list(group, "done", "total")
    )
    return {key: done / total for key, done, total in rows if total}


def delivery_progress_by_value_stream(*, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Done size / total size of the work items of each stream's epics in implementation.

    Size-weighted over the epics (items without a size count 1; canceled items do not count):
    summing sizes across all implementing epics weights each epic by its size.
    """
    qs = WorkItem.objects.filter(epic__state=EpicState.IMPLEMENTING)
    return _progress_sums(_scoped(qs, value_stream_ids, "epic__value_stream_id"), "epic__value_stream_id")


def delivery_progress_by_epic(*, epic_ids: Iterable[int]) -> dict[int, float]:
    return _progress_sums(WorkItem.objects.filter(epic_id__in=list(epic_ids)), "epic_id")


def delivery_progress_by_mmp(*, mmp_ids: Iterable[int]) -> dict[int, float]:
    return _progress_sums(WorkItem.objects.filter(mmp_id__in=list(mmp_ids)), "mmp_id")


def _progress_annotations(link: str):
    """Done and total size of an epic's or MMP's work items, as correlated subqueries."""
    base = WorkItem.objects.filter(**{link: OuterRef("pk")}).exclude(status=WorkItemStatus.CANCELED).order_by()

    def total(qs):
        return Coalesce(
            Subquery(qs.values(link).annotate(t=Sum(_weight())).values("t"), output_field=IntegerField()),
            Value(0),
        )

    return {"size_total": total(base), "size_done": total(base.filter(status=WorkItemStatus.DONE))}


def epics_with_progress(*, value_stream_id: int) -> QuerySet[Epic]:
    """A stream's epics that carry delivery (backlog onwards), with `size_done` and `size_total`."""
    return (
        Epic.objects.filter(value_stream_id=value_stream_id)
        .exclude(state__in=[EpicState.FUNNEL, EpicState.NOT_PURSUED])
        .annotate(**_progress_annotations("epic"))
        .order_by("state", "key")
    )


def mmps_with_progress(*, value_stream_id: int) -> QuerySet[MMP]:
    return (
        MMP.objects.filter(epic__value_stream_id=value_stream_id)
        .select_related("epic")
        .annotate(**_progress_annotations("mmp"))
        .order_by("epic__key", "id")
    )


# --- Flow Framework metrics -----------------------------------------------------------------


def _done_in(window: Window, value_stream_ids) -> QuerySet[WorkItem]:
    qs = WorkItem.objects.filter(status=WorkItemStatus.DONE, finished_at__gte=window.start, finished_at__lt=window.end)
    return _scoped(qs, value_stream_ids)


def flow_velocity(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Items done in the window, per value stream."""
    rows = _done_in(window, value_stream_ids).order_by().values("value_stream_id").annotate(n=Count("id"))
    return {row["value_stream_id"]: row["n"] for row in rows}


def flow_time_days(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, tuple[float, float]]:
    """(median, 85th percentile) of flow time in days over items done in the window.

    Flow time runs from work start (or creation when the tool never reported a start) to done.
    """
    value = SecondsBetween(F("finished_at"), Coalesce(F("started_at"), F("created_at")))
    found = _percentiles(_done_in(window, value_stream_ids), value=value, fractions=(MEDIAN, P85))
    return {vs: (median / 86400, p85 / 86400) for vs, (median, p85) in found.items()}


def flow_load(*, value_stream_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Items active or waiting now (work in progress), per value stream."""
    qs = _scoped(WorkItem.objects.filter(status__in=[WorkItemStatus.ACTIVE, WorkItemStatus.WAITING]), value_stream_ids)
    return {row["value_stream_id"]: row["n"] for row in qs.order_by().values("value_stream_id").annotate(n=Count("id"))}


def flow_efficiency(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Active time / (active + waiting time) over items done in the window that report both.

    Streams whose tools report no active/waiting states are absent (no figure, not zero).
    """
    rows = (
        _done_in(window, value_stream_ids)
        .filter(Q(active_seconds__gt=0) | Q(waiting_seconds__gt=0))
        .order_by()
        .values("value_stream_id")
        .annotate(active=Sum("active_seconds"), waiting=Sum("waiting_seconds"))
    )
    return {r["value_stream_id"]: r["active"] / (r["active"] + r["waiting"]) for r in rows}


def flow_distribution(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, dict[str, float]]:
    """Share of each flow item type among the items done in the window (Viz's definition)."""
    rows = _done_in(window, value_stream_ids).order_by().values("value_stream_id", "item_type").annotate(n=Count("id"))
    counts: dict[int, dict[str, int]] = {}
    for row in rows:  # at most four aggregated rows per stream
        counts.setdefault(row["value_stream_id"], {})[row["item_type"]] = row["n"]
    result = {}
    for vs, by_type in counts.items():
        total = sum(by_type.values())
        result[vs] = {t: round(by_type.get(t, 0) / total, 4) for t in FlowItemType.values}
    return result


# --- DORA ---------------------------------------------------------------------------------


def _deployments_in(window: Window, value_stream_ids) -> QuerySet[Deployment]:
    qs = Deployment.objects.filter(
        environment=PRODUCTION, succeeded=True, deployed_at__gte=window.start, deployed_at__lt=window.end
    )
    return _scoped(qs, value_stream_ids)


def deployment_frequency(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Successful production deployments per week over the window."""
    weeks = window.weeks
    rows = _deployments_in(window, value_stream_ids).order_by().values("value_stream_id").annotate(n=Count("id"))
    return {r["value_stream_id"]: r["n"] / weeks for r in rows} if weeks else {}


def lead_time_hours(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Median hours from first commit to deployed, over production deployments in the window."""
    qs = _deployments_in(window, value_stream_ids).filter(first_commit_at__isnull=False)
    found = _percentiles(qs, value=SecondsBetween(F("deployed_at"), F("first_commit_at")), fractions=(MEDIAN,))
    return {vs: values[0] / 3600 for vs, values in found.items()}


def change_failure_rate(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Production deployments with at least one linked incident / production deployments.

    EXISTS, not a join: a deployment with three incidents still counts once.
    """
    failed = Exists(Incident.objects.filter(deployment=OuterRef("pk")))
    rows = (
        _deployments_in(window, value_stream_ids)
        .annotate(failed=failed)
        .order_by()
        .values("value_stream_id")
        .annotate(n=Count("id"), failures=Count("id", filter=Q(failed=True)))
    )
    return {r["value_stream_id"]: r["failures"] / r["n"] for r in rows}


def recovery_time_hours(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Median hours from a failed deployment to the resolution of the incident it caused.

    Over resolved incidents linked to the stream's production deployments in the window
    (DevLake's failed deployment recovery time).
    """
    qs = Incident.objects.filter(
        resolved_at__isnull=False,
        deployment__environment=PRODUCTION,
        deployment__deployed_at__gte=window.start,
        deployment__deployed_at__lt=window.end,
    )
    qs = _scoped(qs, value_stream_ids)
    found = _percentiles(qs, value=SecondsBetween(F("resolved_at"), F("deployment__deployed_at")), fractions=(MEDIAN,))
    return {vs: values[0] / 3600 for vs, values in found.items()}


@dataclass(frozen=True)
class DoraFigures:
    deployments_per_week: float | None = None
    lead_time_median_hours: float | None = None
    change_failure_rate: float | None = None
    recovery_time_median_hours: float | None = None


def dora_benchmark(*, vintage: str | None = None) -> list[DoraBenchmark]:
    """The levels of the benchmark vintage in use (settings.DORA_BENCHMARK), best first."""
    return list(DoraBenchmark.objects.filter(vintage=vintage or settings.DORA_BENCHMARK).order_by("rank"))


def _met(value, threshold, compare) -> bool:
    return threshold is None or compare(value, threshold)


def dora_metric_levels(figures: DoraFigures, benchmark: list[DoraBenchmark]) -> dict[str, str]:
    """The best level each metric with data reaches in the benchmark."""
    checks = {
        "deployment_frequency": (figures.deployments_per_week, "deploys_per_week_min", lambda v, t: v >= t),
        "lead_time": (figures.lead_time_median_hours, "lead_time_hours_max", lambda v, t: v < t),
        "change_failure_rate": (figures.change_failure_rate, "change_failure_rate_max", lambda v, t: v <= t),
        "recovery_time": (figures.recovery_time_median_hours, "recovery_hours_max", lambda v, t: v < t),
    }
    levels = {}
    for metric, (value, attr, compare) in checks.items():
        if value is None:
            continue
        for row in benchmark:
            if _met(value, getattr(row, attr), compare):
                levels[metric] = row.level
                break
    return levels


def dora_level(figures: DoraFigures, benchmark: list[DoraBenchmark]) -> str:
    """Overall level: the worst of the metrics' levels (a stream is as good as its weakest
    metric). No deployments at all gives no level ('')."""
    if figures.deployments_per_week is None:
        return ""
    levels = dora_metric_levels(figures, benchmark)
    ranks = {row.level: row.rank for row in benchmark}
    if not levels:
        return ""
    return max(levels.values(), key=lambda level: ranks[level])


# --- everything at once ---------------------------------------------------------------------


@dataclass
class DeliveryFigures:
    """All delivery figures of one value stream for a window (None: no data to say)."""

    delivery_progress: float | None = None
    flow_velocity: int = 0
    flow_time_median_days: float | None = None
    flow_time_p85_days: float | None = None
    flow_load: int = 0
    flow_efficiency: float | None = None
    flow_distribution: dict[str, float] = field(default_factory=dict)
    deployments_per_week: float | None = None
    lead_time_median_hours: float | None = None
    change_failure_rate: float | None = None
    recovery_time_median_hours: float | None = None
    dora_level: str = ""


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def delivery_figures(*, window: Window, value_stream_ids: Iterable[int]) -> dict[int, DeliveryFigures]:
    """Every delivery figure for the given value streams: a constant number of queries (one per
    metric plus the benchmark), whatever the number of streams or rows."""
    ids = list(value_stream_ids)
    progress = delivery_progress_by_value_stream(value_stream_ids=ids)
    velocity = flow_velocity(window=window, value_stream_ids=ids)
    times = flow_time_days(window=window, value_stream_ids=ids)
    load = flow_load(value_stream_ids=ids)
    efficiency = flow_efficiency(window=window, value_stream_ids=ids)
    distribution = flow_distribution(window=window, value_stream_ids=ids)
    frequency = deployment_frequency(window=window, value_stream_ids=ids)
    lead = lead_time_hours(window=window, value_stream_ids=ids)
    cfr = change_failure_rate(window=window, value_stream_ids=ids)
    recovery = recovery_time_hours(window=window, value_stream_ids=ids)
    benchmark = dora_benchmark()
    result = {}
    for vs in ids:  # one entry per stream from the aggregated dicts; no queries here
        median, p85 = times.get(vs, (None, None))
        dora = DoraFigures(
            deployments_per_week=frequency.get(vs),
            lead_time_median_hours=lead.get(vs),
            change_failure_rate=cfr.get(vs),
            recovery_time_median_hours=recovery.get(vs),
        )
        result[vs] = DeliveryFigures(
            delivery_progress=_r(progress.get(vs)),
            flow_velocity=velocity.get(vs, 0),
            flow_time_median_days=_r(median),
            flow_time_p85_days=_r(p85),
            flow_load=load.get(vs, 0),
            flow_efficiency=_r(efficiency.get(vs)),
            flow_distribution=distribution.get(vs, {}),
            deployments_per_week=_r(dora.deployments_per_week),
            lead_time_median_hours=_r(dora.lead_time_median_hours),
            change_failure_rate=_r(dora.change_failure_rate),
            recovery_time_median_hours=_r(dora.recovery_time_median_hours),
            dora_level=dora_level(dora, benchmark),
        )
    return result
