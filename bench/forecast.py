"""Forecasts and the funding optimiser at size (issue 16).

Figures:
- Monte Carlo forecasts (10,000 trials, plus the backtest) of the 200 streams the rollups
  section seeded, after its full rollup, as a ratio to the one grouped SQL query of weekly
  throughput they read;
- the optimiser on 1,000 candidate epics over 50 value streams with team capacity, investment
  and horizon guardrails and 100 dependencies: seconds, and what HiGHS returned (optimal, or its
  best set at the time limit with the gap), against plain WSJF order on the same problem.
"""

import random

from bench import timed
from funding.optimiser import TIME_LIMIT_SECONDS, Candidate, Problem, bands, greedy, solve
from portfolio.selectors.throughput import weekly_throughput
from vmo.services.forecasts import BACKTEST_WEEKS, forecast_value_streams


def _problem(seed: int = 16) -> Problem:
    r = random.Random(seed)
    kinds = ["business_features", "enablers", "tech_debt"]
    candidates = [
        Candidate(
            id=i,
            key=f"B-{i}",
            value_stream_id=1 + i % 50,
            cost=r.randint(10, 500) * 1_000_000,
            value=r.choice([3, 5, 8, 13, 20, 26, 33, 40, 60]),
            investment_type=r.choice(kinds),
            horizon=r.choice(["h1", "h2", "h3"]),
            fixed=r.random() < 0.05,
        )
        for i in range(1000)
    ]
    per_stream = {}
    for c in candidates:
        per_stream[c.value_stream_id] = per_stream.get(c.value_stream_id, 0) + c.cost
    requires = []
    for epic in r.sample(range(1000), 100):
        needed = r.randrange(1000)
        if needed != epic:
            requires.append((epic, needed))
    return Problem(
        candidates=candidates,
        budget=sum(c.cost for c in candidates) // 3,
        capacity={vs: total // 2 for vs, total in per_stream.items()},
        investment=bands({"business_features": 60, "enablers": 20, "tech_debt": 10, "ktlo": 10}, 5, set(kinds)),
        horizon=bands({"h1": 60, "h2": 30, "h3": 10}, 5, {"h1", "h2", "h3"}),
        requires=requires,
    )


def run(report, server) -> None:
    from django.conf import settings

    from bench.rollups import AS_OF, _streams

    ids = _streams()

    def forecasts():
        forecast_value_streams(value_stream_ids=ids, as_of=AS_OF)

    def floor():
        weekly_throughput(value_stream_ids=ids, as_of=AS_OF, weeks=settings.FORECAST_HISTORY_WEEKS + BACKTEST_WEEKS)

    report.ratio(
        f"forecasts of {len(ids)} streams ({settings.FORECAST_TRIALS:,} trials + backtest)",
        ours=timed(forecasts, runs=3, warmup=0),
        floor=timed(floor, runs=3, warmup=1),
        floor_is="the weekly throughput query",
        goal=None,
    )
    problem = _problem()
    result = {}

    def optimise():
        result["solution"] = solve(problem)

    ours = timed(optimise, runs=2, warmup=0)
    best, plain = result["solution"], greedy(problem)
    report.ratio(
        "optimise 1,000 epics / 50 streams",
        ours=ours,
        floor=timed(lambda: greedy(problem), runs=3, warmup=0),
        floor_is="plain WSJF order",
        goal=None,
    )
    report.value("optimiser seconds (goal under 5 s)", f"{ours.p50:.1f} s", goal="< 5 s", met=ours.p50 < 5)
    report.value(
        "optimiser result",
        f"{best.status} (time limit {TIME_LIMIT_SECONDS} s, gap {best.gap:.2%}): cost of delay {best.value}"
        f" vs {plain.value} in WSJF order",
    )
