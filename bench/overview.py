"""Overview figure: the overview `/` over 200 value streams with 30 daily snapshots each in the
quarter 2030-Q1 (plus the streams of the earlier sections), through gunicorn as the bench's value
stream manager, against the SQL of the same latest snapshots plus a minimal template."""

import datetime as dt

from django.db import connection
from django.template import Context, Engine
from django.utils import timezone

from bench import Http, Server, explain, floor, html, log_in, timed
from portfolio.models import Quarter, ValueStream
from vmo.models import ValueStreamSnapshot
from vmo.selectors.overview import latest_snapshots

STREAMS = 200
DAYS = 30


def _seed() -> Quarter:
    """Idempotent: bench streams carry a bench-ov- slug, snapshots are added when missing."""
    quarter = Quarter.objects.filter(code="2030-Q1").first() or Quarter.objects.create(
        code="2030-Q1", start=dt.date(2030, 1, 1), end=dt.date(2030, 3, 31)
    )
    have = set(ValueStream.objects.filter(slug__startswith="bench-ov-").values_list("slug", flat=True))
    ValueStream.objects.bulk_create(
        [
            ValueStream(name=f"Overview bench {n:03d}", slug=f"bench-ov-{n:03d}")
            for n in range(STREAMS)
            if f"bench-ov-{n:03d}" not in have
        ]
    )
    streams = list(ValueStream.objects.filter(slug__startswith="bench-ov-").values_list("id", flat=True))
    if ValueStreamSnapshot.objects.filter(quarter=quarter).count() < STREAMS * DAYS:
        now = timezone.now()
        ValueStreamSnapshot.objects.bulk_create(
            [
                ValueStreamSnapshot(
                    value_stream_id=vs_id,
                    quarter=quarter,
                    as_of=quarter.start + dt.timedelta(days=day),
                    computed_at=now,
                    allocated_cents=1_000_000_00,
                    spent_cents=day * 10_000_00,
                    forecast_cents=900_000_00,
                    okr_score=0.5,
                    delivery_progress=0.4,
                    flow_velocity=day,
                    flow_time_median_days=3.5,
                    dora_level="high",
                )
                for vs_id in streams
                for day in range(DAYS)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return quarter


TEMPLATE = Engine().from_string(
    "{% for r in rows %}<tr><td>{{ r.value_stream_id }}</td><td>{{ r.allocated_cents }}</td>"
    "<td>{{ r.spent_cents }}</td>"
    "<td>{{ r.okr_score }}</td><td>{{ r.delivery_progress }}</td><td>{{ r.flow_velocity }}</td>"
    "<td>{{ r.dora_level }}</td></tr>{% endfor %}"
)


@floor("overview")
def overview_floor(params: dict[str, str]):
    sql, sql_params = latest_snapshots(quarters=[Quarter.objects.get(code=params["quarter"])]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return html(TEMPLATE.render(Context({"rows": rows})))


def run(report, server: Server) -> None:
    from bench.epics import bench_vsm

    quarter = _seed()
    page = Http(server, session_key=log_in(bench_vsm()))
    sql, params = latest_snapshots(quarters=[quarter]).query.sql_with_params()

    report.value(
        "overview: value streams / snapshots",
        f"{ValueStream.objects.count()} / {ValueStreamSnapshot.objects.filter(quarter=quarter).count()}",
    )
    report.ratio(
        "overview /",
        ours=timed(lambda: page.get(f"/?quarter={quarter.code}")),
        floor=timed(server.floor("overview", quarter=quarter.code)),
        floor_is="SQL of the latest snapshots + minimal template",
        goal=3,
    )
    report.plan("overview", explain(sql, params))
