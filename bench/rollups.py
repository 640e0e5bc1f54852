# The benchmark assembles SQL from its own constants (no input reaches it) and keeps long SQL
# lines whole so they read as SQL.
# ruff: noqa: S608, E501
"""Rollups and delivery ingestion at size: 1,000,000 work items, 100,000 deployments and
20,000 incidents over 200 value streams (BENCH_SCALE=0.01 for a quick run).

Figures:
- full rollup (all delivery figures of every stream, money, OKRs, snapshot upsert) as a ratio
  to ONE hand-written SQL statement that computes the same delivery figures;
- SQL queries of a rollup of 10 streams and of all 200 (must be equal);
- peak Python memory (tracemalloc) of the same rollup over a month and over the whole quarter,
  three times the rows (must stay flat: nothing loads the tables into Python);
- bulk ingestion over HTTP (50 POSTs of 1,000 rows, a VSM's token), new rows and a replay, in
  rows/second.
"""

import datetime as dt
import json
import time
import tracemalloc

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench import SCALE, Http, explain, timed
from portfolio.models import Deployment, Incident, Quarter, ValueStream, WorkItem
from portfolio.selectors.delivery import window_for
from vmo.services.rollups import rollup_value_streams

STREAMS = 200
WORK_ITEMS = int(1_000_000 * SCALE)
DEPLOYMENTS = int(100_000 * SCALE)
BATCHES = max(5, int(50 * SCALE))  # 50 x 1,000 rows at full scale
INCIDENT_EVERY = 5  # one incident per fifth deployment: 20,000 at full scale
QUARTER_CODE = "2030-Q1"
QUARTER_START, QUARTER_END = dt.date(2030, 1, 1), dt.date(2030, 3, 31)
BASE = "2029-10-01 00:00:00"  # data runs from here to the quarter's end
AS_OF = QUARTER_END


def _plus(expr: str, amount: str, unit: str) -> str:
    """`expr` + `amount` units, in the current database's dialect."""
    if connection.vendor == "sqlite":
        return f"datetime({expr}, '+' || ({amount}) || ' {unit}s')"
    return f"({expr} + ({amount}) * interval '1 {unit}')"


def _ts(literal: str) -> str:
    return f"'{literal}'" if connection.vendor == "sqlite" else f"timestamptz '{literal}+00'"


def _now() -> str:
    return "datetime('now')" if connection.vendor == "sqlite" else "now()"


def _seconds(end: str, start: str) -> str:
    if connection.vendor == "sqlite":
        return f"ROUND((julianday({end}) - julianday({start})) * 86400.0)"
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def _sequence(n: int) -> str:
    if connection.vendor == "sqlite":
        return f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1}) "
    return f"WITH seq(n) AS (SELECT generate_series(0, {n - 1})) "


def _streams() -> list[int]:
    existing = list(
        ValueStream.objects.filter(slug__startswith="bench-rollup-").order_by("id").values_list("id", flat=True)
    )
    if len(existing) == STREAMS:
        return existing
    ValueStream.objects.bulk_create(
        [ValueStream(name=f"Bench rollup {n:03d}", slug=f"bench-rollup-{n:03d}") for n in range(STREAMS)],
        ignore_conflicts=True,
    )
    return list(
        ValueStream.objects.filter(slug__startswith="bench-rollup-").order_by("id").values_list("id", flat=True)
    )


def _seed(ids: list[int]) -> None:
    """Generate the rows in the database with INSERT ... SELECT (seconds, not minutes)."""
    if WorkItem.objects.filter(source="csv", external_id="bench-wi-0").exists():
        return
    case_vs = "CASE " + " ".join(f"WHEN n % {STREAMS} = {i} THEN {vs}" for i, vs in enumerate(ids)) + " END"
    created = _plus(_ts(BASE), "n % 175", "day")
    started = _plus(created, "n % 5", "day")
    finished = _plus(started, "(n % 23) * 24 + n % 11", "hour")
    status = "CASE WHEN n % 20 < 14 THEN 'done' WHEN n % 20 < 17 THEN 'active' WHEN n % 20 < 18 THEN 'waiting' ELSE 'new' END"
    item_type = (
        "CASE n % 10 WHEN 0 THEN 'defect' WHEN 1 THEN 'defect' WHEN 2 THEN 'debt' WHEN 3 THEN 'risk' ELSE 'feature' END"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _sequence(WORK_ITEMS)
            + "INSERT INTO portfolio_workitem (value_stream_id, source, external_id, title, item_type, size, status,"
            " created_at, started_at, finished_at, status_changed_at, active_seconds, waiting_seconds, ingested_at,"
            " tool_status)"
            f" SELECT {case_vs}, 'csv', 'bench-wi-' || n, '', {item_type}, CASE WHEN n % 7 = 0 THEN NULL ELSE n % 8 + 1 END,"
            f" {status}, {created},"
            f" CASE WHEN n % 20 < 18 THEN {started} END,"
            f" CASE WHEN n % 20 < 14 THEN {finished} END,"
            f" {created},"
            " CASE WHEN n % 20 < 14 THEN ((n % 23) * 24 + n % 11) * 1440 ELSE 0 END,"
            " CASE WHEN n % 20 < 14 THEN ((n % 23) * 24 + n % 11) * 2160 ELSE 0 END,"
            f" {_now()}, '' FROM seq"
        )
        deployed = _plus(_ts(BASE), "(n % 182) * 24 + n % 24", "hour")
        cursor.execute(
            _sequence(DEPLOYMENTS)
            + "INSERT INTO portfolio_deployment (value_stream_id, source, external_id, environment, repository,"
            " deployed_at, first_commit_at, succeeded, ingested_at)"
            f" SELECT {case_vs}, 'csv', 'bench-dep-' || n, 'production', '', {deployed},"
            f" {_plus(deployed, '-(n % 72) - 1', 'hour')}, n % 50 <> 0, {_now()} FROM seq"
        )
        cursor.execute(
            "INSERT INTO portfolio_incident (value_stream_id, source, external_id, title, opened_at, resolved_at,"
            " deployment_id, deployment_link, ingested_at)"
            f" SELECT value_stream_id, 'csv', 'bench-inc-' || id, '', deployed_at,"
            f" {_plus('deployed_at', 'id % 30 + 1', 'hour')}, id, 'explicit', {_now()}"
            f" FROM portfolio_deployment WHERE source = 'csv' AND id % {INCIDENT_EVERY} = 0"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _hand_written_sql(quarter: Quarter) -> tuple[str, list]:
    """ONE statement computing the delivery figures of every stream (the floor)."""
    window = window_for(quarter=quarter, as_of=AS_OF)
    ops = connection.ops
    start, end = ops.adapt_datetimefield_value(window.start), ops.adapt_datetimefield_value(window.end)
    flow = _seconds("finished_at", "COALESCE(started_at, created_at)")
    lead = _seconds("deployed_at", "first_commit_at")
    recovery = _seconds("i.resolved_at", "d.deployed_at")

    def median(table_sql: str) -> str:
        return (
            f"SELECT g, SUM(CASE WHEN rn = (n - 1) / 2 + 1 THEN v * (1.0 - ((n - 1) %% 2) * 0.5)"
            f" WHEN rn = (n - 1) / 2 + 2 THEN v * (((n - 1) %% 2) * 0.5) ELSE 0 END) AS m,"
            f" SUM(CASE WHEN rn = (17 * (n - 1)) / 20 + 1 THEN v * (1.0 - ((17 * (n - 1)) %% 20) / 20.0)"
            f" WHEN rn = (17 * (n - 1)) / 20 + 2 THEN v * (((17 * (n - 1)) %% 20) / 20.0) ELSE 0 END) AS p85"
            f" FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn,"
            f" COUNT(*) OVER (PARTITION BY g) AS n FROM ({table_sql}) s) r GROUP BY g"
        )

    sql = (
        "WITH done AS (SELECT value_stream_id, item_type, active_seconds, waiting_seconds, started_at, created_at, finished_at"
        " FROM portfolio_workitem WHERE status = 'done' AND finished_at >= %s AND finished_at < %s),"
        " wi AS (SELECT value_stream_id AS g, COUNT(*) AS velocity, SUM(active_seconds) AS a,"
        " SUM(active_seconds + waiting_seconds) AS t,"
        " SUM(CASE WHEN item_type = 'feature' THEN 1 ELSE 0 END) AS features,"
        " SUM(CASE WHEN item_type = 'defect' THEN 1 ELSE 0 END) AS defects FROM done GROUP BY value_stream_id),"
        f" ft AS ({median(f'SELECT value_stream_id AS g, {flow} AS v FROM done')}),"
        " wip AS (SELECT value_stream_id AS g, COUNT(*) AS load FROM portfolio_workitem"
        " WHERE status IN ('active', 'waiting') GROUP BY value_stream_id),"
        " prog AS (SELECT e.value_stream_id AS g, SUM(CASE WHEN w.status = 'done' THEN COALESCE(w.size, 1) ELSE 0 END)"
        " * 1.0 / SUM(COALESCE(w.size, 1)) AS progress FROM portfolio_workitem w JOIN portfolio_epic e ON e.id = w.epic_id"
        " WHERE e.state = 'implementing' AND w.status <> 'canceled' GROUP BY e.value_stream_id),"
        " dep AS (SELECT id, value_stream_id, deployed_at, first_commit_at FROM portfolio_deployment"
        " WHERE environment = 'production' AND succeeded"
        " AND deployed_at >= %s AND deployed_at < %s),"
        " df AS (SELECT value_stream_id AS g, COUNT(*) AS deploys,"
        " SUM(CASE WHEN EXISTS (SELECT 1 FROM portfolio_incident i WHERE i.deployment_id = dep.id) THEN 1 ELSE 0 END)"
        " AS failed FROM dep GROUP BY value_stream_id),"
        f" lt AS ({median(f'SELECT value_stream_id AS g, {lead} AS v FROM dep WHERE first_commit_at IS NOT NULL')}),"
        f" rt AS ({median(f'SELECT i.value_stream_id AS g, {recovery} AS v FROM portfolio_incident i JOIN dep d ON d.id = i.deployment_id WHERE i.resolved_at IS NOT NULL')})"
        " SELECT vs.id, wi.velocity, wi.a * 1.0 / wi.t, wi.features, wi.defects, ft.m / 86400, ft.p85 / 86400,"
        " wip.load, prog.progress, df.deploys, df.failed * 1.0 / df.deploys, lt.m / 3600, rt.m / 3600"
        " FROM portfolio_valuestream vs LEFT JOIN wi ON wi.g = vs.id LEFT JOIN ft ON ft.g = vs.id"
        " LEFT JOIN wip ON wip.g = vs.id LEFT JOIN prog ON prog.g = vs.id LEFT JOIN df ON df.g = vs.id"
        " LEFT JOIN lt ON lt.g = vs.id LEFT JOIN rt ON rt.g = vs.id WHERE vs.slug LIKE 'bench-rollup-%%'"
    )
    return sql, [start, end, start, end]


def _ingestion(report, server, ids: list[int]) -> None:
    """Bulk ingestion over HTTP with the bench VSM's token (they manage every bench stream),
    BATCHES x 1,000 rows, the rollup not stubbed (the embedded drain runs after the response)."""
    from rest_framework.authtoken.models import Token

    from bench.epics import bench_vsm

    vsm = bench_vsm()
    ValueStream.managers.through.objects.bulk_create(
        [ValueStream.managers.through(valuestream_id=vs, user_id=vsm.id) for vs in ids], ignore_conflicts=True
    )
    api = Http(server, token=Token.objects.get_or_create(user=vsm)[0].key)
    payloads = [
        [
            {
                "value_stream": ids[(b * 1000 + n) % len(ids)],
                "source": "manual",
                "external_id": f"ingest-{b}-{n}",
                "item_type": "feature",
                "size": 3,
                "status": "active",
                "created_at": "2030-01-02T09:00:00Z",
                "started_at": "2030-01-03T09:00:00Z",
            }
            for n in range(1000)
        ]
        for b in range(BATCHES)
    ]
    api.request("POST", "/api/work-items/", body=[dict(payloads[0][0], external_id="ingest-warmup")])
    for label, expected, goal in (("new rows", "created", 5_000), ("replay", "unchanged", 10_000)):
        started = time.perf_counter()
        for payload in payloads:
            body = json.loads(api.request("POST", "/api/work-items/", body=payload))
            assert body[expected] == 1000, body
        rate = BATCHES * 1000 / (time.perf_counter() - started)
        report.value(
            f"bulk ingestion over HTTP, {label} ({BATCHES} x 1,000)",
            f"{rate:,.0f} rows/s",
            goal=f">= {goal:,} rows/s",
            met=rate >= goal,
        )


def run(report, server) -> None:
    ids = _streams()
    quarter, _ = Quarter.objects.update_or_create(
        code=QUARTER_CODE, defaults={"start": QUARTER_START, "end": QUARTER_END, "status": "closed"}
    )
    started = time.perf_counter()
    _seed(ids)
    report.value(
        "rollup data",
        f"{WorkItem.objects.filter(source='csv').count():,} work items, {Deployment.objects.filter(source='csv').count():,}"
        f" deployments, {Incident.objects.filter(source='csv').count():,} incidents, {len(ids)} streams"
        f" (ready in {time.perf_counter() - started:.1f} s)",
    )

    def full_rollup():
        rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=AS_OF)

    sql, params = _hand_written_sql(quarter)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    report.ratio(
        "full rollup of 200 streams (in process)",
        ours=timed(full_rollup, runs=5, warmup=1),
        floor=timed(floor, runs=5, warmup=1),
        floor_is="one hand-written SQL",
        goal=None,
    )
    report.plan("rollup", explain(sql, params))

    counts = []
    for subset in (ids[:10], ids):
        with CaptureQueriesContext(connection) as queries:
            rollup_value_streams(value_stream_ids=subset, quarter=quarter, as_of=AS_OF)
        counts.append(len(queries.captured_queries))
    report.value("rollup SQL queries, 10 streams vs 200", f"{counts[0]} vs {counts[1]}")

    # Same streams, same output size, three times the rows in the window: memory must not follow.
    peaks = []
    for as_of in (dt.date(2030, 1, 31), AS_OF):
        rows = WorkItem.objects.filter(finished_at__date__lte=as_of, finished_at__date__gte=QUARTER_START).count()
        tracemalloc.start()
        rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=as_of)
        peaks.append((rows, tracemalloc.get_traced_memory()[1]))
        tracemalloc.stop()
    report.value(
        "rollup peak Python memory (items done in window)",
        " vs ".join(f"{peak / 1024:,.0f} KiB ({rows:,})" for rows, peak in peaks),
    )

    _ingestion(report, server, ids)
