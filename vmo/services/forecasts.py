"""Monte Carlo forecasts per value stream: read the history, simulate, cache the results.

`forecast_value_streams` is the job the rollup enqueues (after commit) for the streams it rolled
up. Reads are three grouped queries for any number of streams; the simulation runs in numpy;
the write replaces each stream's cached rows in one short transaction, so a page sees the old
forecast or the new one, never half of one. A rerun on the same day gives the same figures: the
random numbers are seeded per (FORECAST_SEED, value stream).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portfolio.models import Forecast, ForecastItem, Quarter, ValueStream
from portfolio.selectors.base import quarter_current
from portfolio.selectors.throughput import remaining_work, weekly_throughput
from vmo.forecasting import backtest_how_many, rng_for, simulate_how_many, simulate_when

BACKTEST_WEEKS = 26  # past forecast dates replayed
BACKTEST_AHEAD = 4  # each replays "how many in the next four weeks"
BACKTEST_TRIALS = 2_000


def _weeks_until(as_of: dt.date, end: dt.date) -> int:
    return max((end - as_of).days + 1, 0) // 7


def _date(as_of: dt.date, weeks: int | None) -> dt.date | None:
    return None if weeks is None else as_of + dt.timedelta(weeks=weeks)


def forecast_value_streams(
    *, value_stream_ids: Iterable[int], as_of: dt.date | None = None, quarter: Quarter | None = None
) -> int:
    """Forecast these value streams as of `as_of` (today) and cache the result; returns how many.

    Per stream: "how many items by the quarter's end", "when" for each open epic and MMP with
    remaining work (its own work plus the work ranked ahead of it in the stream's pull order:
    implementing epics first, then WSJF), the probability that each finishes by the quarter's end,
    and the backtest of P85 over the past weeks.
    """
    as_of = as_of or timezone.localdate()
    ids = sorted(set(ValueStream.objects.filter(pk__in=list(value_stream_ids)).values_list("id", flat=True)))
    if not ids:
        return 0
    quarter = quarter or quarter_current(today=as_of)
    horizon_end = quarter.end if quarter and quarter.end >= as_of else as_of
    horizon = _weeks_until(as_of, horizon_end)
    weeks = settings.FORECAST_HISTORY_WEEKS
    trials, seed = settings.FORECAST_TRIALS, settings.FORECAST_SEED
    minimum = settings.FORECAST_MIN_WEEKS_WITH_DATA
    long_history = weekly_throughput(value_stream_ids=ids, as_of=as_of, weeks=weeks + BACKTEST_WEEKS)
    work_by_stream: dict[int, list] = {}
    for work in remaining_work(value_stream_ids=ids):
        work_by_stream.setdefault(work.value_stream_id, []).append(work)
    computed_at = timezone.now()
    forecasts, items = [], {}
    for vs_id in ids:  # numpy per stream; no queries in this loop
        items_hist = long_history[vs_id].items[-weeks:]
        size_hist = long_history[vs_id].size[-weeks:]
        with_data = sum(1 for n in items_hist if n)
        enough = with_data >= minimum
        rng = rng_for(seed, vs_id)
        forecast = Forecast(
            value_stream_id=vs_id,
            as_of=as_of,
            computed_at=computed_at,
            trials=trials,
            seed=seed,
            history_weeks=weeks,
            weeks_with_data=with_data,
            enough_history=enough,
            throughput_items=items_hist,
            throughput_size=size_hist,
            horizon_end=horizon_end,
        )
        rows = []
        if enough:
            how_many = simulate_how_many(items_hist, weeks=horizon, trials=trials, rng=rng)
            forecast.how_many_p50, forecast.how_many_p85, forecast.how_many_p95 = (
                how_many.p50,
                how_many.p85,
                how_many.p95,
            )
            rows = _when_rows(work_by_stream.get(vs_id, []), size_hist, as_of, horizon, trials, rng)
            points, hits = backtest_how_many(
                long_history[vs_id].items,
                window=weeks,
                ahead=BACKTEST_AHEAD,
                min_weeks=minimum,
                trials=BACKTEST_TRIALS,
                rng=rng,
            )
            forecast.backtest_points, forecast.backtest_hits = points, hits
        forecasts.append(forecast)
        items[vs_id] = rows
    with transaction.atomic():
        Forecast.objects.bulk_create(
            forecasts,
            update_conflicts=True,
            unique_fields=["value_stream"],
            update_fields=[
                "as_of",
                "computed_at",
                "trials",
                "seed",
                "history_weeks",
                "weeks_with_data",
                "enough_history",
                "throughput_items",
                "throughput_size",
                "horizon_end",
                "how_many_p50",
                "how_many_p85",
                "how_many_p95",
                "backtest_points",
                "backtest_hits",
            ],
        )
        forecast_ids = dict(Forecast.objects.filter(value_stream_id__in=ids).values_list("value_stream_id", "id"))
        ForecastItem.objects.filter(forecast_id__in=forecast_ids.values()).delete()
        new_rows = []
        for vs_id, rows in items.items():
            for row in rows:
                row.forecast_id = forecast_ids[vs_id]
                new_rows.append(row)
        ForecastItem.objects.bulk_create(new_rows, batch_size=500)
    return len(ids)


def _when_rows(work, size_hist, as_of, horizon, trials, rng) -> list[ForecastItem]:
    """One row per epic and MMP: cumulative work in the pull order (an MMP counts the work of
    the epics ahead plus its epic's MMPs up to it; an epic counts all of its own work)."""
    if not work:
        return []
    targets, solo = [], []
    ahead = epic_end = mmp_ahead = 0  # work of the epics before the current one, and so far
    for entry in work:
        if entry.mmp_id is None:
            ahead = epic_end
            epic_end = ahead + entry.remaining
            mmp_ahead = ahead
            targets.append((ahead, epic_end))
        else:
            targets.append((mmp_ahead, mmp_ahead + entry.remaining))
            mmp_ahead += entry.remaining
        solo.append(entry.remaining)
    results = simulate_when(
        size_hist, [end for _, end in targets], trials=trials, rng=rng, horizon_weeks=horizon, solo=solo
    )
    return [
        ForecastItem(
            epic_id=entry.epic_id,
            mmp_id=entry.mmp_id,
            remaining=entry.remaining,
            ahead=start,
            solo_p50_weeks=result.solo_p50,
            p50=_date(as_of, result.p50),
            p85=_date(as_of, result.p85),
            p95=_date(as_of, result.p95),
            probability_by_horizon=result.probability_by_horizon,
            histogram=result.histogram,
        )
        for entry, (start, _), result in zip(work, targets, results, strict=True)
    ]
