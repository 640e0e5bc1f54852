"""Demo OKRs: portfolio and value-stream objectives for last and current quarter, key results
with check-in histories. Idempotent: objectives and KRs are found by their natural keys, and a
KR's check-ins are written only when it has none. KRs link to the stream's epics if the epic
seeder ran first (looked up, never created here)."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from okrs.models import CheckIn, KeyResult, KRCommitment, KRDirection, KRMetric, Objective, ObjectiveLevel
from portfolio.models import Epic

PORTFOLIO_OBJECTIVES = (
    ("Grow digital revenue", "Grow digital revenue"),
    ("Run a resilient, efficient bank", "Operational excellence"),
)

# title, unit, direction, baseline, target (value-stream KRs; the stream name prefixes the objective)
STREAM_KRS = (
    ("Active digital customers", "k", KRDirection.INCREASE, 120, 150),
    ("Median lead time for changes", "h", KRDirection.DECREASE, 72, 24),
    ("Customer satisfaction (CSAT)", "pts", KRDirection.INCREASE, 68, 80),
)

# KRs that are a computed figure of their value stream: bound to it, so the page's DORA lead time
# and the KR say one number (the rollups check it in; the demo types no readings for them).
BOUND_KRS = {"Median lead time for changes": KRMetric.LEAD_TIME}

STREAM_OBJECTIVES = (
    "Delight customers with faster releases",
    "Make every journey effortless",
    "Ship safely, recover fast",
    "Earn trust with reliable service",
)

PORTFOLIO_KRS = {
    "Grow digital revenue": (("Share of revenue from digital channels", "%", KRDirection.INCREASE, 31, 36),),
    "Run a resilient, efficient bank": (("Priority-1 incidents per quarter", "", KRDirection.DECREASE, 14, 6),),
}


def _checkin_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start + dt.timedelta(days=13)
    while day <= end:
        days.append(day)
        day += dt.timedelta(days=14)
    return days


@transaction.atomic
def seed(ctx) -> None:
    rng = random.Random(5)
    author = ctx.users["vsm"]
    director = ctx.users["director"]
    themes = {theme.name: theme for theme in ctx.themes}
    epics_by_stream: dict[int, list[int]] = {}
    for epic_id, vs_id in Epic.objects.order_by("key").values_list("id", "value_stream_id"):
        epics_by_stream.setdefault(vs_id, []).append(epic_id)

    for key in ("last", "current"):
        quarter = ctx.quarters[key]
        end = quarter.end if key == "last" else min(quarter.end, ctx.today)
        dates = _checkin_dates(quarter.start, end)
        # Last quarter ended where it ended; this quarter is under way.
        finish = 0.85 if key == "last" else 0.5
        parents = {}
        for title, theme_name in PORTFOLIO_OBJECTIVES:
            parents[title], _ = Objective.objects.get_or_create(
                quarter=quarter,
                level=ObjectiveLevel.PORTFOLIO,
                title=title,
                defaults={"owner": director, "theme": themes.get(theme_name), "value_stream": None},
            )
        targets = [(parents[t], PORTFOLIO_KRS[t]) for t in parents]
        for i, stream in enumerate(ctx.value_streams):
            parent = parents[PORTFOLIO_OBJECTIVES[i % 2][0]]
            objective, _ = Objective.objects.get_or_create(
                quarter=quarter,
                level=ObjectiveLevel.VALUE_STREAM,
                value_stream=stream,
                title=STREAM_OBJECTIVES[i % len(STREAM_OBJECTIVES)],
                defaults={"parent": parent, "owner": stream.managers.first(), "theme": parent.theme},
            )
            targets.append((objective, STREAM_KRS[: 2 + i % 2]))

        for objective, specs in targets:
            for title, unit, direction, baseline, target in specs:
                kr, _ = KeyResult.objects.get_or_create(
                    objective=objective,
                    title=title,
                    defaults={
                        "unit": unit,
                        "direction": direction,
                        "baseline": Decimal(baseline),
                        "target": Decimal(target),
                        "current": Decimal(baseline),
                        "commitment": KRCommitment.ASPIRATIONAL if rng.random() < 0.3 else KRCommitment.COMMITTED,
                    },
                )
                metric = BOUND_KRS.get(title, "") if objective.value_stream_id else ""
                if kr.metric != metric:  # a demo seeded before the binding existed gets it too
                    KeyResult.objects.filter(pk=kr.pk).update(metric=metric)
                    kr.metric = metric
                stream_epics = epics_by_stream.get(objective.value_stream_id, [])
                if stream_epics and not kr.epics.exists():
                    kr.epics.add(*stream_epics[:2])
                if kr.metric or kr.check_ins.exists() or not dates:
                    continue
                reach = finish * rng.uniform(0.4, 1.5)
                rows = []
                for n, day in enumerate(dates, start=1):
                    share = reach * n / len(dates) + rng.uniform(-0.05, 0.05)
                    value = (
                        Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * Decimal(f"{share:.3f}")
                    ).quantize(Decimal("0.1"))
                    rows.append(
                        CheckIn(
                            key_result=kr,
                            date=day,
                            value=value,
                            confidence=max(0, min(10, round(4 + 6 * reach + rng.uniform(-1, 1)))),
                            note="" if n % 2 else "Steady progress.",
                            author=director if objective.level == ObjectiveLevel.PORTFOLIO else author,
                        )
                    )
                CheckIn.objects.bulk_create(rows)
                KeyResult.objects.filter(pk=kr.pk).update(current=rows[-1].value, confidence=rows[-1].confidence)
