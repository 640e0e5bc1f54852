"""Rollups: one snapshot per value stream, quarter and day, from every app's selectors.

`rollup_value_streams` is the one job. It computes the figures of the value streams it is given
with set-based selectors (a constant number of queries, whatever the number of streams) and
upserts their snapshots for `as_of` in one statement on the unique constraint, inside a
transaction: a worker killed halfway leaves yesterday's (or this morning's) snapshot intact,
and a rerun writes the same figures again.

Triggers: writes record a `RollupDue` row (the outbox) in their own transaction; the drain
claims those rows and runs the job once for all of them, however many writes came in. A write
dated in the past (spend of a closed month, a deployment of last quarter) leaves the earliest
such day in the row (`since`), and the drain recomputes every day's snapshot from it, finished
quarters included (`rollup_since`): one set-based run per day, never per value stream.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from core.publish import publish
from funding.selectors import value_stream_money
from okrs.selectors import value_stream_okr_scores
from okrs.services import key_results_check_in_rollup
from portfolio.models import Quarter, RollupDue, ValueStream
from portfolio.selectors.base import quarter_current
from portfolio.selectors.delivery import delivery_figures, window_for
from portfolio.services.events import EventType, event_record
from vmo.models import SNAPSHOT_DELIVERY_FIGURES, ValueStreamSnapshot
from vmo.services.value_figures import value_figures

logger = logging.getLogger(__name__)

SNAPSHOT_FIGURES = [
    "computed_at",
    *SNAPSHOT_DELIVERY_FIGURES,
    "dora_detail",
    "allocated_cents",
    "spent_cents",
    "forecast_cents",
    "okr_score",
    "value_detail",
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

    Reads first, then the writes in one short transaction: the check-ins of key results bound
    to a metric, the OKR scores that follow from them, and one upsert statement of snapshots.
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
    value = value_figures(quarter=quarter, as_of=as_of, value_stream_ids=ids)
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
                    # Only when withheld, so a graded stream's detail reads as before.
                    **({"not_graded": figures.dora_not_graded} if figures.dora_not_graded else {}),
                },
                allocated_cents=cash.allocated_cents if cash else 0,
                spent_cents=cash.spent_cents if cash else 0,
                forecast_cents=cash.forecast_cents if cash and cash.has_forecast else None,
                value_detail=value[vs_id],
            )
        )
    with transaction.atomic():
        # Key results bound to a metric take today's figure as a check-in by the rollup, before
        # the OKR scores are read, so the snapshot's score and the KR say the same number; in the
        # snapshot's transaction, so a worker killed halfway leaves neither.
        key_results_check_in_rollup(
            quarter_id=quarter.id, as_of=as_of, figures={vs_id: delivery[vs_id] for vs_id in ids}
        )
        okrs = value_stream_okr_scores(quarter=quarter)
        progress(3, total_stages, "write")
        for snapshot in snapshots:
            score = okrs.get(snapshot.value_stream_id)
            snapshot.okr_score = None if score is None else round(score, 4)
        # An upsert on (value_stream, quarter, as_of): INSERT ... ON CONFLICT DO UPDATE on both
        # backends, so two runs racing on the same day cannot create a duplicate.
        # One statement on PostgreSQL; Django splits it on SQLite (999 variables per statement).
        ValueStreamSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["value_stream", "quarter", "as_of"],
            update_fields=SNAPSHOT_FIGURES,
        )
        if as_of == timezone.localdate():
            # Today's figures only: a backfill recomputing past days is not news to receivers.
            event_record(
                event_type=EventType.SNAPSHOT_COMPUTED,
                payload={
                    "quarter": quarter.code,
                    "as_of": as_of.isoformat(),
                    "computed_at": computed_at.isoformat(),
                    "value_streams": ids,
                },
            )
    if as_of == timezone.localdate():
        forecast_after_commit(value_stream_ids=ids)
    progress(total_stages, total_stages, "done")
    return len(snapshots)


def forecast_after_commit(*, value_stream_ids: list[int]) -> None:
    """Today's rollup refreshes the streams' Monte Carlo forecasts, in a job after commit (a
    simulation of 10,000 trials per stream is not for a request or the rollup's transaction).
    The message is a nudge: with the broker down the snapshot stands and the next rollup (nightly
    at the latest) retries."""
    ids = list(value_stream_ids)

    def enqueue():
        publish("vmo.tasks.forecast_value_streams_task", kwargs={"value_stream_ids": ids})

    transaction.on_commit(enqueue)


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


def rollup_since(
    *,
    since_by_stream: dict[int, dt.date],
    as_of: dt.date | None = None,
    skip: tuple[int, dt.date] | None = None,
) -> int:
    """Recompute the snapshots of late data: for each value stream, every day from its `since`
    day up to today, in every quarter those days fall in (a finished quarter's closing snapshot
    included). Returns the number of (quarter, day) runs.

    One set-based run per day for all the streams due on that day, so the number of queries
    grows with the days recomputed, never with the number of value streams. `skip` is a
    (quarter id, day) already computed by the caller (today's run of the current quarter).
    """
    as_of = as_of or timezone.localdate()
    due = {vs_id: day for vs_id, day in since_by_stream.items() if day is not None and day <= as_of}
    if not due:
        return 0
    earliest = min(due.values())
    runs = 0
    for quarter in Quarter.objects.filter(end__gte=earliest, start__lte=as_of).order_by("start"):
        day = max(quarter.start, earliest)
        last = min(as_of, quarter.end)
        while day <= last:
            ids = [vs_id for vs_id, since in due.items() if since <= day]
            if (quarter.id, day) != skip:
                rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=day)
                runs += 1
            day += dt.timedelta(days=1)
    return runs


def rollup_all_since(
    *, since: dt.date, value_stream_ids: Iterable[int] | None = None, as_of: dt.date | None = None
) -> int:
    """`manage.py rollup --since DATE`: what the drain does for late data, by hand, for every
    active value stream (or those given). Returns the number of (quarter, day) runs."""
    if value_stream_ids is None:
        value_stream_ids = ValueStream.objects.filter(active=True).values_list("id", flat=True)
    return rollup_since(since_by_stream=dict.fromkeys(value_stream_ids, since), as_of=as_of)


def rollup_outbox_drain(*, as_of: dt.date | None = None, batch_size: int = 500) -> list[int]:
    """Claim the outbox rows and roll those value streams up, once each; returns their ids.

    Every claimed stream gets today's snapshot of the current quarter; a row with a `since` day
    (late data) also has its snapshots from that day on recomputed, in finished quarters too.

    The claim (delete) and the snapshot upserts share one transaction per batch: if the worker
    dies, the rows come back with the rollback and nothing is lost. A write that commits while
    we run either committed before our reads (and is in the figures) or inserts a new outbox
    row after our delete (PostgreSQL makes its INSERT wait for our transaction; SQLite runs one
    writer at a time), so the next drain picks it up. SKIP LOCKED lets two drains share work.
    """
    as_of = as_of or timezone.localdate()
    quarter, quarter_read = None, False
    drained: list[int] = []
    while True:
        with transaction.atomic():
            rows = list(
                RollupDue.objects.select_for_update(skip_locked=True)
                .order_by("due_since", "id")
                .values_list("value_stream_id", "since")[:batch_size]
            )
            if not rows:
                return drained
            ids = [vs_id for vs_id, _ in rows]
            RollupDue.objects.filter(value_stream_id__in=ids).delete()
            if not quarter_read:  # read once, and only when something is due
                quarter, quarter_read = quarter_current(today=as_of), True
            if quarter is not None:
                rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=as_of)
            rollup_since(
                since_by_stream={vs_id: since for vs_id, since in rows if since is not None},
                as_of=as_of,
                skip=(quarter.id, as_of) if quarter is not None else None,
            )
        drained.extend(ids)


def rollup_backfill(*, quarter_id: int | None = None, until: dt.date | None = None, every_days: int = 1) -> int:
    """Snapshots from the quarter's start to `until` (today), one every `every_days` days and
    always one for `until` itself, for demo trends.

    Figures that describe "now" (flow load) come out as of today on every day: the data keeps
    no history of statuses per day. Returns the number of days rolled up.
    """
    until = until or timezone.localdate()
    quarter = _quarter_or_current(quarter_id, until)
    if quarter is None:
        return 0
    ids = list(ValueStream.objects.filter(active=True).values_list("id", flat=True))
    last = min(until, quarter.end)
    days = [quarter.start + dt.timedelta(days=n) for n in range(0, (last - quarter.start).days + 1, every_days)]
    if days and days[-1] != last:
        days.append(last)
    for day in days:
        rollup_value_streams(value_stream_ids=ids, quarter=quarter, as_of=day)
    return len(days)
