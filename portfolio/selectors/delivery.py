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

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
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
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from portfolio.models import (
    MMP,
    Commit,
    DeliveryMode,
    Deployment,
    DeploymentDaysPeriod,
    DoraBenchmark,
    Epic,
    EpicState,
    FlowItemType,
    Incident,
    Quarter,
    Source,
    SourceRule,
    ValueStream,
    WorkItem,
    WorkItemStatus,
)
from portfolio.modes import dora_not_graded_reason
from portfolio.selectors.settings import dora_vintage_expression

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
    with connection.cursor() as cursor:
        cursor.execute(percentiles_sql(inner_sql, fractions), params)
        return {row[0]: [float(v) for v in row[1:]] for row in cursor.fetchall()}


def percentiles_sql(inner_sql: str, fractions: tuple[tuple[int, int], ...], *, with_count: bool = False) -> str:
    """SQL answering (pg, p0, p1, ..., [n]) per group `pg`: the interpolated percentiles of `pv`
    over `inner_sql`'s rows (columns pg, pv, no NULL pv), and with `with_count` the number of
    rows. Shared so every percentile uses one rule."""
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
    if with_count:
        columns.append("MAX(n) AS n")
    return sql.format(
        columns=", ".join(columns),
        rank="ROW_NUMBER() OVER (PARTITION BY pg ORDER BY pv) AS rn, COUNT(*) OVER (PARTITION BY pg) AS n",
        inner=inner_sql,
    )


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


def _progress_annotations(link: str):
    """Done and total size of an epic's or MMP's work items, as correlated subqueries."""
    base = WorkItem.objects.filter(**{link: OuterRef("pk")}).exclude(status=WorkItemStatus.CANCELED).order_by()

    def total(qs):
        return Coalesce(
            Subquery(qs.values(link).annotate(t=Sum(_weight())).values("t"), output_field=IntegerField()),
            Value(0),
        )

    return {"size_total": total(base), "size_done": total(base.filter(status=WorkItemStatus.DONE))}


# Public names for other apps: funding's actual cost reads an epic's done and total size; the
# Kanban's epic-level flow (time to value, cycle time) takes percentiles the same way.
progress_annotations = _progress_annotations
percentiles_by_value_stream = _percentiles


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


def flow_load(*, value_stream_ids: Iterable[int] | None = None, window: Window | None = None) -> dict[int, int]:
    """Items in progress (active or waiting), per value stream.

    With a window: in progress at the window's end, from the timestamps (started before the
    end and not finished by then; a canceled item counts only if it was canceled after the
    end), so a day's figure replays the same later. Without one: the items active or waiting now.
    """
    if window is None:
        qs = WorkItem.objects.filter(status__in=[WorkItemStatus.ACTIVE, WorkItemStatus.WAITING])
    else:
        began = Coalesce(F("started_at"), F("status_changed_at"), F("created_at"))
        qs = (
            WorkItem.objects.annotate(began=began)
            .filter(began__lt=window.end)
            .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=window.end))
            .filter(
                Q(status__in=[WorkItemStatus.ACTIVE, WorkItemStatus.WAITING, WorkItemStatus.DONE])
                | Q(status=WorkItemStatus.CANCELED, started_at__isnull=False, status_changed_at__gte=window.end)
            )
        )
    qs = _scoped(qs, value_stream_ids)
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
#
# Definitions (the catalogue in portfolio/metrics.py says the same in words, for /metrics/):
# - deployment frequency: successful production deployments in the window per week, and the
#   deployment DAYS (distinct local days with one) per week; graded on the median deployment
#   days per complete week / month of the window (DORA's buckets, DevLake's thresholds);
# - lead time for changes: median of deployed_at - first commit over production deployments in
#   the window (first commit from the tool, else the earliest commit pushed to the deployment's
#   repository since its previous production deployment);
# - change failure rate: production deployments in the window that caused an incident opened
#   by the end of the window / production deployments in the window;
# - failed deployment recovery time: median over incidents RESOLVED in the window and linked
#   to a production deployment of resolved_at - that deployment's deployed_at;
# - time to restore: median over incidents resolved in the window of resolved_at - opened_at.
# Nothing after the end of the window is read, so a day's figures replay the same later.

NO_DEPLOYMENT_RECORDED = "no production deployment recorded"
NO_DEPLOYMENTS_IN_WINDOW = "no deployments in the window"
WINDOW_UNDER_A_WEEK = "less than a full week in the window"
NO_COMMIT_TIMES = "no commit times for the deployments in the window"
NO_INCIDENT_SOURCE = "no incident source connected"
NO_RECOVERY_IN_WINDOW = "no failed deployment recovered in the window"
NO_INCIDENT_RESOLVED = "no incident resolved in the window"

DORA_METRICS = ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _deployments_in(window: Window, value_stream_ids) -> QuerySet[Deployment]:
    qs = Deployment.objects.filter(
        environment=PRODUCTION, succeeded=True, deployed_at__gte=window.start, deployed_at__lt=window.end
    )
    return _scoped(qs, value_stream_ids)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    days_in_month = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, days_in_month))


def _buckets(window: Window) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Ends of the complete weeks and complete months of the window, counted from its start."""
    first = timezone.localtime(window.start).date()
    weeks, months = [], []
    k = 1
    while (end := _day_start(first + dt.timedelta(days=7 * k))) <= window.end:
        weeks.append(end)
        k += 1
    k = 1
    while (end := _day_start(_add_months(first, k))) <= window.end:
        months.append(end)
        k += 1
    return weeks, months


def _bucket_index(ends: list[dt.datetime]):
    """Index of the complete bucket a deployment falls in; NULL in the partial one at the end."""
    if not ends:
        return Value(None, output_field=IntegerField())
    return Case(
        *[When(deployed_at__lt=end, then=Value(i)) for i, end in enumerate(ends)],
        default=Value(None),
        output_field=IntegerField(),
    )


def _lower_median(values: list[int]) -> int | None:
    """DevLake's median of counts: the largest value whose percent rank is at most 0.5."""
    if not values:
        return None
    return sorted(values)[(len(values) - 1) // 2]


@dataclass(frozen=True)
class DeploymentDays:
    """Deployment counts of one stream in a window (the inputs of deployment frequency)."""

    deployments: int = 0
    days: int = 0
    weeks: tuple[int, ...] = ()  # deployment days in each complete week
    months: tuple[int, ...] = ()  # deployment days in each complete month
    deployed_before: bool = False  # a production deployment before the window (a source exists)

    @property
    def median_week(self) -> int | None:
        return _lower_median(list(self.weeks))

    @property
    def median_month(self) -> int | None:
        return _lower_median(list(self.months))


def deployment_days(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, DeploymentDays]:
    """Per value stream: production deployments and deployment days in the window, per complete
    week and month, and whether it ever deployed before. One grouped query: each local day
    falls in exactly one (week, month) cell, so the cells' distinct-day counts add up."""
    week_ends, month_ends = _buckets(window)
    qs = Deployment.objects.filter(environment=PRODUCTION, succeeded=True, deployed_at__lt=window.end)
    rows = (
        _scoped(qs, value_stream_ids)
        .annotate(
            inw=Case(When(deployed_at__gte=window.start, then=Value(1)), default=Value(0), output_field=IntegerField()),
            wk=_bucket_index(week_ends),
            mo=_bucket_index(month_ends),
        )
        .order_by()
        .values("value_stream_id", "inw", "wk", "mo")
        .annotate(n=Count("id"), d=Count(TruncDate("deployed_at"), distinct=True))
    )
    acc: dict[int, dict] = {}
    for row in rows:  # aggregated cells: at most ~17 per stream, never one per deployment
        entry = acc.setdefault(
            row["value_stream_id"],
            {"n": 0, "d": 0, "wk": [0] * len(week_ends), "mo": [0] * len(month_ends), "before": False},
        )
        if not row["inw"]:
            entry["before"] = True
            continue
        entry["n"] += row["n"]
        entry["d"] += row["d"]
        if row["wk"] is not None:
            entry["wk"][row["wk"]] += row["d"]
        if row["mo"] is not None:
            entry["mo"][row["mo"]] += row["d"]
    return {
        vs: DeploymentDays(
            deployments=e["n"], days=e["d"], weeks=tuple(e["wk"]), months=tuple(e["mo"]), deployed_before=e["before"]
        )
        for vs, e in acc.items()
    }


def deployment_frequency(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Successful production deployments per week over the window (streams that ever deployed)."""
    weeks = window.weeks
    found = deployment_days(window=window, value_stream_ids=value_stream_ids)
    return {vs: d.deployments / weeks for vs, d in found.items()} if weeks else {}


def _first_commit():
    """The deployment's first commit time: the tool's, else the earliest commit pushed to its
    repository after the previous production deployment of that repository and by this one."""
    previous = Deployment.objects.filter(
        value_stream_id=OuterRef("value_stream_id"),
        repository=OuterRef("repository"),
        environment=PRODUCTION,
        succeeded=True,
        deployed_at__lt=OuterRef("deployed_at"),
    ).order_by("-deployed_at")
    earliest = (
        Commit.objects.filter(
            value_stream_id=OuterRef("value_stream_id"),
            repository=OuterRef("repository"),
            pushed_at__lte=OuterRef("deployed_at"),
            authored_at__lte=OuterRef("deployed_at"),
            pushed_at__gt=Coalesce(OuterRef("previous_deployed_at"), Value(EPOCH, output_field=DateTimeField())),
        )
        .order_by("authored_at")
        .values("authored_at")[:1]
    )
    return {
        "previous_deployed_at": Subquery(previous.values("deployed_at")[:1]),
        "first_commit": Coalesce(
            F("first_commit_at"),
            Case(When(repository="", then=Value(None)), default=Subquery(earliest), output_field=DateTimeField()),
        ),
    }


def lead_time_hours(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Median hours from first commit to production deployment, over deployments in the window
    whose first commit time is known."""
    qs = _deployments_in(window, value_stream_ids).annotate(**_first_commit())
    found = _percentiles(qs, value=SecondsBetween(F("deployed_at"), F("first_commit")), fractions=(MEDIAN,))
    return {vs: values[0] / 3600 for vs, values in found.items()}


def change_failure_rate(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Production deployments in the window that caused an incident (opened by the end of the
    window) / production deployments in the window.

    EXISTS, not a join: a deployment with three incidents still counts once. Streams without an
    incident source are left to the caller (`incident_sources`): their 0 is not a figure.
    """
    failed = Exists(Incident.objects.filter(deployment=OuterRef("pk"), opened_at__lt=window.end))
    rows = (
        _deployments_in(window, value_stream_ids)
        .annotate(failed=failed)
        .order_by()
        .values("value_stream_id")
        .annotate(n=Count("id"), failures=Count("id", filter=Q(failed=True)))
    )
    return {r["value_stream_id"]: r["failures"] / r["n"] for r in rows}


def _resolved_in(window: Window, value_stream_ids) -> QuerySet[Incident]:
    qs = Incident.objects.filter(resolved_at__gte=window.start, resolved_at__lt=window.end, opened_at__lt=window.end)
    return _scoped(qs, value_stream_ids)


def recovery_time_hours(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Failed deployment recovery time: median hours over incidents resolved in the window and
    caused by a production deployment, of resolved_at - that deployment's deployed_at."""
    qs = _resolved_in(window, value_stream_ids).filter(
        deployment__environment=PRODUCTION, deployment__deployed_at__lte=F("resolved_at")
    )
    found = _percentiles(qs, value=SecondsBetween(F("resolved_at"), F("deployment__deployed_at")), fractions=(MEDIAN,))
    return {vs: values[0] / 3600 for vs, values in found.items()}


def time_to_restore_hours(*, window: Window, value_stream_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Time to restore: median hours over incidents resolved in the window of resolved - opened."""
    found = _percentiles(
        _resolved_in(window, value_stream_ids),
        value=SecondsBetween(F("resolved_at"), F("opened_at")),
        fractions=(MEDIAN,),
    )
    return {vs: values[0] / 3600 for vs, values in found.items()}


def incident_sources(*, window: Window, value_stream_ids: Iterable[int]) -> set[int]:
    """Streams with an incident source: an incident recorded (opened by the end of the window)
    from any source, or a source rule that reports incidents (every PagerDuty rule does).
    Without one, "no incident" means "nobody tells us", not "no failure"."""
    recorded = Exists(Incident.objects.filter(value_stream_id=OuterRef("pk"), opened_at__lt=window.end))
    configured = Exists(
        SourceRule.objects.filter(value_stream_id=OuterRef("pk")).filter(
            Q(reports_incidents=True) | Q(source=Source.PAGERDUTY)
        )
    )
    qs = ValueStream.objects.filter(id__in=list(value_stream_ids)).filter(recorded | configured)
    return set(qs.values_list("id", flat=True))


def stream_traits(*, window: Window, value_stream_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """Per stream: its delivery mode and whether it has an incident source (as
    `incident_sources`), in one query, so grading by mode costs the rollup no extra query."""
    recorded = Exists(Incident.objects.filter(value_stream_id=OuterRef("pk"), opened_at__lt=window.end))
    configured = Exists(
        SourceRule.objects.filter(value_stream_id=OuterRef("pk")).filter(
            Q(reports_incidents=True) | Q(source=Source.PAGERDUTY)
        )
    )
    qs = ValueStream.objects.filter(id__in=list(value_stream_ids)).annotate(has_source=recorded | configured)
    return {vs_id: (mode, bool(has)) for vs_id, mode, has in qs.values_list("id", "delivery_mode", "has_source")}


@dataclass(frozen=True)
class DoraFigures:
    """The four DORA figures of one stream (None: no data) and the deployment-day counts that
    grade deployment frequency."""

    deployments_per_week: float | None = None
    lead_time_median_hours: float | None = None
    change_failure_rate: float | None = None
    recovery_time_median_hours: float | None = None
    days: DeploymentDays | None = None


def dora_benchmark(*, vintage: str | None = None) -> list[DoraBenchmark]:
    """The levels of the benchmark vintage in use (chosen on /settings/, else the DORA_BENCHMARK
    setting), best first."""
    return list(DoraBenchmark.objects.filter(vintage=vintage or dora_vintage_expression()).order_by("rank"))


def _frequency_level(days: DeploymentDays | None, benchmark: list[DoraBenchmark]) -> str | None:
    """The best level whose deployment-days threshold the stream meets; None when it cannot be
    graded (no deployment ever, or not one complete week in the window yet)."""
    if days is None or not days.weeks:
        return None
    for row in benchmark:
        period, minimum = row.deployment_days_period, row.deployment_days_min
        if not period or minimum is None:
            return row.level  # the catch-all
        if period == DeploymentDaysPeriod.WEEK:
            value = days.median_week
        elif period == DeploymentDaysPeriod.MONTH:
            # No complete month yet (a window of one to four weeks): the window is the month so far.
            value = days.median_month if days.months else days.days
        else:
            value = days.days
        if value is not None and value >= minimum:
            return row.level
    return None


def _met(value, threshold, compare) -> bool:
    return threshold is None or compare(value, threshold)


def dora_metric_levels(figures: DoraFigures, benchmark: list[DoraBenchmark]) -> dict[str, str]:
    """The best level each metric with data reaches in the benchmark (metrics without data are
    absent: no data is not a grade)."""
    levels = {}
    frequency = _frequency_level(figures.days, benchmark)
    if frequency:
        levels["deployment_frequency"] = frequency
    checks = {
        "lead_time": (figures.lead_time_median_hours, "lead_time_hours_max", lambda v, t: v < t),
        "change_failure_rate": (figures.change_failure_rate, "change_failure_rate_max", lambda v, t: v <= t),
        "recovery_time": (figures.recovery_time_median_hours, "recovery_hours_max", lambda v, t: v < t),
    }
    for metric, (value, attr, compare) in checks.items():
        if value is None:
            continue
        for row in benchmark:
            if _met(value, getattr(row, attr), compare):
                levels[metric] = row.level
                break
    return levels


def dora_level(figures: DoraFigures, benchmark: list[DoraBenchmark]) -> str:
    """Overall level: the worst level among the metrics WITH data (a stream is as good as its
    weakest graded metric); '' when no metric can be graded. Say how many were graded beside it."""
    levels = dora_metric_levels(figures, benchmark)
    if not levels:
        return ""
    ranks = {row.level: row.rank for row in benchmark}
    return max(levels.values(), key=lambda level: ranks[level])


# --- everything at once ---------------------------------------------------------------------


@dataclass
class DeliveryFigures:
    """All delivery figures of one value stream for a window (None: no data to say).

    `dora_levels` holds the level of each DORA metric with data; `dora_no_data` the reason
    for each metric without; `dora_metrics_graded` how many of the four the overall level
    `dora_level` rests on ("2 of 4 metrics").
    """

    delivery_progress: float | None = None
    flow_velocity: int = 0
    flow_time_median_days: float | None = None
    flow_time_p85_days: float | None = None
    flow_load: int = 0
    flow_efficiency: float | None = None
    flow_distribution: dict[str, float] = field(default_factory=dict)
    deployments_per_week: float | None = None
    deployment_days_per_week: float | None = None
    lead_time_median_hours: float | None = None
    change_failure_rate: float | None = None
    recovery_time_median_hours: float | None = None
    time_to_restore_median_hours: float | None = None
    dora_level: str = ""
    dora_levels: dict[str, str] = field(default_factory=dict)
    dora_metrics_graded: int = 0
    dora_no_data: dict[str, str] = field(default_factory=dict)
    # Why the stream has no DORA grade although it may have figures ('' when graded): a
    # project-mode stream that does not deploy (`portfolio.modes.dora_graded`).
    dora_not_graded: str = ""


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _no_data_reasons(
    *,
    days: DeploymentDays | None,
    dora: DoraFigures,
    has_incident_source: bool,
    frequency_graded: bool,
    time_to_restore: bool,
) -> dict[str, str]:
    reasons = {}
    deployed = days is not None and days.deployments > 0
    if days is None:
        reasons["deployment_frequency"] = NO_DEPLOYMENT_RECORDED
    elif not frequency_graded:
        reasons["deployment_frequency"] = WINDOW_UNDER_A_WEEK
    if dora.lead_time_median_hours is None:
        reasons["lead_time"] = NO_COMMIT_TIMES if deployed else NO_DEPLOYMENTS_IN_WINDOW
    if not has_incident_source:
        reasons["change_failure_rate"] = NO_INCIDENT_SOURCE
        reasons["recovery_time"] = NO_INCIDENT_SOURCE
        reasons["time_to_restore"] = NO_INCIDENT_SOURCE
    else:
        if dora.change_failure_rate is None:
            reasons["change_failure_rate"] = NO_DEPLOYMENTS_IN_WINDOW
        if dora.recovery_time_median_hours is None:
            reasons["recovery_time"] = NO_RECOVERY_IN_WINDOW
        if not time_to_restore:
            reasons["time_to_restore"] = NO_INCIDENT_RESOLVED
    return reasons


def delivery_figures(*, window: Window, value_stream_ids: Iterable[int]) -> dict[int, DeliveryFigures]:
    """Every delivery figure for the given value streams: a constant number of queries (one per
    metric, one for the incident sources, plus the benchmark), whatever the number of streams
    or rows."""
    ids = list(value_stream_ids)
    progress = delivery_progress_by_value_stream(value_stream_ids=ids)
    velocity = flow_velocity(window=window, value_stream_ids=ids)
    times = flow_time_days(window=window, value_stream_ids=ids)
    load = flow_load(value_stream_ids=ids, window=window)
    efficiency = flow_efficiency(window=window, value_stream_ids=ids)
    distribution = flow_distribution(window=window, value_stream_ids=ids)
    days = deployment_days(window=window, value_stream_ids=ids)
    lead = lead_time_hours(window=window, value_stream_ids=ids)
    cfr = change_failure_rate(window=window, value_stream_ids=ids)
    recovery = recovery_time_hours(window=window, value_stream_ids=ids)
    restore = time_to_restore_hours(window=window, value_stream_ids=ids)
    traits = stream_traits(window=window, value_stream_ids=ids)
    benchmark = dora_benchmark()
    weeks = window.weeks
    result = {}
    for vs in ids:  # one entry per stream from the aggregated dicts; no queries here
        median, p85 = times.get(vs, (None, None))
        stream_days = days.get(vs)
        mode, has_source = traits.get(vs, (DeliveryMode.AGILE, False))
        dora = DoraFigures(
            deployments_per_week=stream_days.deployments / weeks if stream_days and weeks else None,
            lead_time_median_hours=lead.get(vs),
            change_failure_rate=cfr.get(vs) if has_source else None,
            recovery_time_median_hours=recovery.get(vs) if has_source else None,
            days=stream_days,
        )
        not_graded = dora_not_graded_reason(
            mode=mode, deployments_in_window=stream_days.deployments if stream_days else 0
        )
        # The figures stay (a project may still record incidents); only the grade is withheld.
        measured = dora_metric_levels(dora, benchmark)
        levels = {} if not_graded else measured
        result[vs] = DeliveryFigures(
            delivery_progress=_r(progress.get(vs)),
            flow_velocity=velocity.get(vs, 0),
            flow_time_median_days=_r(median),
            flow_time_p85_days=_r(p85),
            flow_load=load.get(vs, 0),
            flow_efficiency=_r(efficiency.get(vs)),
            flow_distribution=distribution.get(vs, {}),
            deployments_per_week=_r(dora.deployments_per_week),
            deployment_days_per_week=_r(stream_days.days / weeks) if stream_days and weeks else None,
            lead_time_median_hours=_r(dora.lead_time_median_hours),
            change_failure_rate=_r(dora.change_failure_rate),
            recovery_time_median_hours=_r(dora.recovery_time_median_hours),
            time_to_restore_median_hours=_r(restore.get(vs)) if has_source else None,
            dora_level="" if not_graded else dora_level(dora, benchmark),
            dora_levels=levels,
            dora_not_graded=not_graded,
            dora_metrics_graded=len(levels),
            dora_no_data=_no_data_reasons(
                days=stream_days,
                dora=dora,
                has_incident_source=has_source,
                frequency_graded="deployment_frequency" in measured,
                time_to_restore=vs in restore,
            ),
        )
    return result
