"""Rollups: one snapshot per value stream, quarter and day, from every app's selectors.

`rollup_value_streams` is the one job. It computes the figures of the value streams it is given
with set-based selectors (a constant number of queries, whatever the number of streams) and
upserts their snapshots for `as_of` in one statement on the unique constraint, inside a
transaction: a worker killed halfway leaves yesterday's (or this morning's) snapshot intact,
and a rerun writes the same figures again.

Triggers: writes record a `RollupDue` row (the outbox) in their own transaction; the drain
claims those rows and runs the job once for all of them, however many writes came in.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from funding.selectors import value_stream_money
from okrs.selectors import value_stream_okr_scores
from portfolio.models import Quarter, RollupDue, ValueStream
from portfolio.selectors.base import quarter_current
from portfolio.selectors.delivery import delivery_figures, window_for
from vmo.models import ValueStreamSnapshot

logger = logging.getLogger(__name__)

SNAPSHOT_FIGURES = [
    "computed_at",
    "delivery_progress",
    "flow_velocity",
    "flow_time_median_days",
    "flow_time_p85_days",
    "flow_load",
    "flow_efficiency",
    "flow_distribution",
    "deployments_per_week",
    "deployment_days_per_week",
    "lead_time_median_hours",
    "change_failure_rate",
    "recovery_time_median_hours",
    "time_to_restore_median_hours",
    "dora_level",
    "dora_detail",
    "allocated_cents",
    "spent_cents",
    "forecast_cents",
    "okr_score",
]

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, stage: str) -> None:
    return None


def rollup_value_streams(
    *,
    value_stream_ids: Iterable[int],
    quarter: Quarter,
    as_of: dt.date | None = None,
    progress: Progress = _no_progress,
) -> int:
    """Compute and upsert today's snapshot of these value streams in `quarter`; returns how many.

    Reads first, then one upsert statement in a short transaction (no lock is held while the
    selectors run).
    """
    as_of = as_of or timezone.localdate()
    ids = sorted({int(i) for i in value_stream_ids})
    if not ids:
        return 0
    total_stages = 4
    progress(0, total_stages, "delivery")
    delivery = delivery_figures(window=window_for(quarter=quarter, as_of=as_of), value_stream_ids=ids)
    progress(1, total_stages, "money")
    money = value_stream_money(quarter=quarter, as_of=as_of)
    progress(2, total_stages, "okrs")
    okrs = value_stream_okr_scores(quarter=quarter)
    progress(3, total_stages, "write")
    computed_at = timezone.now()
    snapshots = []
    for vs_id in ids:  # assembling rows from aggregated dicts; no queries in this loop
        figures = delivery[vs_id]
        cash = money.get(vs_id)
        snapshots.append(
            ValueStreamSnapshot(
                value_stream_id=vs_id,
                quarter_id=quarter.id,
                as_of=as_of,
                computed_at=computed_at,
                delivery_progress=figures.delivery_progress,
                flow_velocity=figures.flow_velocity,
                flow_time_median_days=figures.flow_time_median_days,
                flow_time_p85_days=figures.flow_time_p85_days,
                flow_load=figures.flow_load,
                flow_efficiency=figures.flow_efficiency,
                flow_distribution=figures.flow_distribution,
                deployments_per_week=figures.deployments_per_week,
                deployment_days_per_week=figures.deployment_days_per_week,
                lead_time_median_hours=figures.lead_time_median_hours,
                change_failure_rate=figures.change_failure_rate,
                recovery_time_median_hours=figures.recovery_time_median_hours,
                time_to_restore_median_hours=figures.time_to_restore_median_hours,
                dora_level=figures.dora_level,
                dora_detail={
                    "levels": figures.dora_levels,
                    "graded": figures.dora_metrics_graded,
                    "no_data": figures.dora_no_data,
                },
                allocated_cents=cash.allocated_cents if cash else 0,
                spent_cents=cash.spent_cents if cash else 0,
                forecast_cents=cash.forecast_cents if cash else 0,
                okr_score=None if okrs.get(vs_id) is None else round(okrs[vs_id], 4),
            )
        )
    with transaction.atomic():
        # An upsert on (value_stream, quarter, as_of): INSERT ... ON CONFLICT DO UPDATE on both
        # backends, so two runs racing on the same day cannot create a duplicate.
        # One statement on PostgreSQL; Django splits it on SQLite (999 variables per statement).
        ValueStreamSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["value_stream", "quarter", "as_of"],
            update_fields=SNAPSHOT_FIGURES,
        )
    progress(total_stages, total_stages, "done")
    return len(snapshots)


def _quarter_or_current(quarter_id: int | None, as_of: dt.date) -> Quarter | None:
    if quarter_id is not None:
        return Quarter.objects.filter(id=quarter_id).first()
    return quarter_current(today=as_of)


def rollup_value_stream(*, value_stream_id: int, quarter_id: int | None = None, as_of: dt.date | None = None) -> int:
    """The job for one value stream and quarter (the current one by default). A value stream or
    quarter deleted before the job ran is logged and skipped."""
    as_of = as_of or timezone.localdate()
    quarter = _quarter_or_current(quarter_id, as_of)
    if quarter is None or not ValueStream.objects.filter(id=value_stream_id).exists():
        logger.info("Rollup skipped: value stream %s or quarter %s is gone.", value_stream_id, quarter_id)
        return 0
    return rollup_value_streams(value_stream_ids=[value_stream_id], quarter=quarter, as_of=as_of)


def rollup_all(
    *,
    quarter_id: int | None = None,
    value_stream_ids: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    progress: Progress = _no_progress,
) -> int:
    """The nightly (and `manage.py rollup`) run: every active value stream, or those given."""
    as_of = as_of or timezone.localdate()
    quarter = _quarter_or_current(quarter_id, as_of)
    if quarter is None:
        return 0
    if value_stream_ids is None:
        value_stream_ids = ValueStream.objects.filter(active=True).values_list("id", flat=True)
    return rollup_value_streams(
        value_stream_ids=list(value_stream_ids), quarter=quarter, as_of=as_of, progress=progress
    )


def rollup_outbox_drain(*, as_of: dt.date | None = None, batch_size: int = 500) -> list[int]:
    """Claim the outbox rows and roll those value streams up, once each; returns their ids.

    The claim (delete) and the snapshot upsert share one transaction per batch: if the worker
    dies, the rows come back with the rollback and nothing is lost. A write that commits while
    we run either committed before our reads (and is in the figures) or inserts a new outbox
    row after our delete (PostgreSQL makes its INSERT wait for our transaction; SQLite runs one
    writer at a time), so the next drain picks it up. SKIP LOCKED lets two drains share work.
    """
    as_of = as_of or timezone.localdate()
    quarter = None
    drained: list[int] = []
    while True:
        with transaction.atomic():
            ids = list(
                RollupDue.objects.select_for_update(skip_locked=True)
                .order_by("due_since", "id")
                .values_list("value_stream_id", flat=True)[:batch_size]
            )
            if not ids:
                return drained
            RollupDue.objects.filter(value_stream_id__in=ids).delete()
            quarter = quarter or quarter_current(today=as_of)
            if quarter is not None:
                rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=as_of)
        drained.extend(ids)


def rollup_backfill(*, quarter_id: int | None = None, until: dt.date | None = None) -> int:
    """One snapshot per day from the quarter's start to `until` (today), for demo trends.

    Figures that describe "now" (flow load) come out as of today on every day: the data keeps
    no history of statuses per day. Returns the number of days rolled up.
    """
    until = until or timezone.localdate()
    quarter = _quarter_or_current(quarter_id, until)
    if quarter is None:
        return 0
    ids = list(ValueStream.objects.filter(active=True).values_list("id", flat=True))
    day, days = quarter.start, 0
    while day <= min(until, quarter.end):
        rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=day)
        day += dt.timedelta(days=1)
        days += 1
    return days
