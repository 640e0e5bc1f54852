"""The Monte Carlo forecast itself: a seeded bootstrap of weekly throughput, numpy only.

Pure functions (no database): the service in `vmo/services/forecasts.py` feeds them the
history a selector read and stores what they return. Each trial draws weeks at random, with
replacement, from the stream's last N weeks of throughput (zeros included: a week where nothing
finished is part of the history) and counts the weeks until the remaining work is done.
Percentiles are "inverted CDF" (the smallest number of weeks by which at least p % of the
trials finished), so a constant throughput gives one date for P50, P85 and P95.
"""

from dataclasses import dataclass

import numpy as np

MAX_WEEKS = 520  # ten years: beyond this a forecast is "not within the horizon"
PERCENTILES = (50, 85, 95)


def rng_for(seed: int, value_stream_id: int) -> np.random.Generator:
    """One reproducible stream of random numbers per (installation seed, value stream)."""
    return np.random.default_rng([seed, value_stream_id])


@dataclass(frozen=True)
class When:
    """Weeks from the forecast day until the work is done: the percentiles (None: beyond the
    horizon), the share of trials done within `horizon_weeks`, and [week, share] pairs."""

    p50: int | None
    p85: int | None
    p95: int | None
    probability_by_horizon: float | None
    histogram: list[list]
    solo_p50: int | None = None


def _cumulative(history: np.ndarray, *, trials: int, weeks: int, rng: np.random.Generator) -> np.ndarray:
    draws = rng.choice(history, size=(trials, weeks), replace=True)
    return np.cumsum(draws, axis=1, dtype=np.int64)


def _weeks_needed(cumulative: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each trial (row) and target, the first week (1-based) whose cumulative done work
    reaches the target; weeks+1 when it never does. One vectorised search for all targets: the
    rows are made disjoint by an offset so one sorted array serves every trial."""
    trials, weeks = cumulative.shape
    offset = int(cumulative[:, -1].max()) + int(targets.max(initial=0)) + 1
    rows = np.arange(trials, dtype=np.int64)[:, None] * offset
    flat = (cumulative + rows).ravel()
    found = np.searchsorted(flat, (targets[None, :] + rows).ravel(), side="left").reshape(trials, len(targets))
    return found - rows // offset * weeks + 1


def _percentile(weeks_needed: np.ndarray, p: int, horizon: int) -> int | None:
    value = int(np.percentile(weeks_needed, p, method="inverted_cdf"))
    return None if value > horizon else value


def _histogram(weeks_needed: np.ndarray, horizon: int) -> list[list]:
    values, counts = np.unique(weeks_needed[weeks_needed <= horizon], return_counts=True)
    total = len(weeks_needed)
    return [[int(v), round(int(c) / total, 4)] for v, c in zip(values, counts, strict=True)]


def simulate_when(
    history: list[int],
    targets: list[int],
    *,
    trials: int,
    rng: np.random.Generator,
    horizon_weeks: int | None = None,
    solo: list[int] | None = None,
) -> list[When]:
    """ "When" for each target amount of work (cumulative work up to and including the item):
    P50/P85/P95 in weeks, the probability of finishing within `horizon_weeks`, the histogram.
    `solo` (same length): the item's own work, whose P50 alone is the sequencing's duration."""
    if not targets:
        return []
    data = np.asarray(history, dtype=np.int64)
    if data.sum() == 0:
        return [When(None, None, None, 0.0 if horizon_weeks is not None else None, []) for _ in targets]
    goal = np.asarray(targets, dtype=np.int64)
    mean = data.mean()
    # Enough weeks that nearly every trial finishes the largest target; capped at MAX_WEEKS.
    weeks = int(min(MAX_WEEKS, max(8, np.ceil(goal.max() / mean * 3) + 8)))
    cumulative = _cumulative(data, trials=trials, weeks=weeks, rng=rng)
    needed = _weeks_needed(cumulative, goal)
    alone = _weeks_needed(cumulative, np.asarray(solo, dtype=np.int64)) if solo else None
    results = []
    for j in range(len(targets)):
        column = needed[:, j]
        probability = None
        if horizon_weeks is not None:
            probability = round(float((column <= horizon_weeks).mean()), 4)
        results.append(
            When(
                *(_percentile(column, p, weeks) for p in PERCENTILES),
                probability_by_horizon=probability,
                histogram=_histogram(column, weeks),
                solo_p50=_percentile(alone[:, j], 50, weeks) if alone is not None else None,
            )
        )
    return results


@dataclass(frozen=True)
class HowMany:
    """Items done within the horizon: P50, and the counts reached with 85 % and 95 % confidence."""

    p50: int
    p85: int
    p95: int


def simulate_how_many(history: list[int], *, weeks: int, trials: int, rng: np.random.Generator) -> HowMany:
    """How many items by a date `weeks` whole weeks away. P85 is the count at least 85 % of the
    trials reached (the 15th percentile), so it reads "85 % sure of at least this many"."""
    if weeks <= 0:
        return HowMany(0, 0, 0)
    data = np.asarray(history, dtype=np.int64)
    totals = rng.choice(data, size=(trials, weeks), replace=True).sum(axis=1)
    return HowMany(
        p50=int(np.percentile(totals, 50, method="inverted_cdf")),
        p85=int(np.percentile(totals, 15, method="inverted_cdf")),
        p95=int(np.percentile(totals, 5, method="inverted_cdf")),
    )


def backtest_how_many(
    items: list[int], *, window: int, ahead: int, min_weeks: int, trials: int, rng: np.random.Generator
) -> tuple[int, int]:
    """Replay "how many in the next `ahead` weeks" at every past week that had `window` weeks
    of history before it (at least `min_weeks` of them with data) and `ahead` weeks after it;
    a hit is a period whose actual count reached the forecast's P85. Returns (points, hits)."""
    points = hits = 0
    for end in range(window, len(items) - ahead + 1):
        history = items[end - window : end]
        if sum(1 for n in history if n) < min_weeks:
            continue
        forecast = simulate_how_many(history, weeks=ahead, trials=trials, rng=rng)
        points += 1
        hits += int(sum(items[end : end + ahead]) >= forecast.p85)
    return points, hits
