"""Overview figure: the executive overview `/` over 200 value streams with 30 daily snapshots
each in the quarter, as a ratio to the bare SQL query that fetches the same latest snapshots."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import measure
from portfolio import roles
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


def run(report) -> None:
    quarter = _seed()
    user, _ = get_user_model().objects.get_or_create(username="bench-executive")
    user.groups.add(Group.objects.get(name=roles.EXECUTIVE))
    client = Client()
    client.force_login(user)

    sql, params = latest_snapshots(quarters=[quarter]).query.sql_with_params()

    def bare_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def overview_page():
        response = client.get(f"/?quarter={quarter.code}")
        assert response.status_code == 200

    streams = ValueStream.objects.count()
    report.value(
        "overview: value streams / snapshots",
        f"{streams} / {ValueStreamSnapshot.objects.filter(quarter=quarter).count()}",
    )
    report.ratio(
        "overview page, server time",
        seconds=measure(overview_page, repeat=5),
        floor_seconds=measure(bare_sql, repeat=5),
        floor="bare SQL of the latest snapshots",
    )
