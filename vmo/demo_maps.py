"""Demo value stream maps (issue 18): current-state maps of three streams measured from a status
history of their recent work items, a future-state map of one with its targets, and improvement
items in the VMO backlog.

The history follows each chosen item's own timestamps (created -> finished), split over the
stages by the stream's profile, with some items sent back from test to development (rework).
Idempotent: a stream's map is created once; its history and items only when the map is new,
fixed random seeds, `bulk_create(ignore_conflicts=True)` on unique keys.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portfolio.models import (
    MapStage,
    MapState,
    ValueStreamMap,
    WorkItem,
    WorkItemStatus,
    WorkItemStatusChange,
)
from vmo.models import ActionItem, Priority

W, A = WorkItemStatus.WAITING, WorkItemStatus.ACTIVE
# (stage, [(tool status, flow status), ...]) in order; the first status of a stage is its queue.
STAGES = (
    ("Refinement", (("ready for refinement", W), ("refining", A))),
    ("Development", (("ready for dev", W), ("in progress", A))),
    ("Code review", (("awaiting review", W), ("reviewing", A))),
    ("Test", (("ready for test", W), ("testing", A))),
    ("Release", (("ready to release", W), ("releasing", A))),
)
# Per stream: per stage (queue weight, work weight) of an item's time, and per stage %C&A.
PROFILES = {
    "payments": {
        "weights": ((2, 1), (1, 6), (1, 1), (1, 2), (0.2, 0.3)),
        "ca": (90, 85, 95, 90, 98),
        "notes": "Trunk-based, automated tests: reviews and refinement are where work waits.",
    },
    "lending": {
        "weights": ((6, 1), (4, 6), (3, 1), (5, 2), (4, 0.5)),
        "ca": (70, 75, 90, 60, 95),
        "notes": "Manual regression testing and a fortnightly release window.",
    },
    "core-ops": {
        "weights": ((15, 1), (8, 5), (6, 1), (10, 3), (12, 0.5)),
        "ca": (55, 60, 85, 45, 80),
        "notes": "Change board approval before every release; a shared test environment.",
    },
}
FUTURE = {  # lending's targets: hours of (process, wait) per stage
    "slug": "lending",
    "stages": ((6, 16), (40, 24), (4, 4), (8, 8), (1, 4)),
    "ca": (85, 85, 95, 85, 98),
    "notes": "Automate regression tests, release on demand, refine in the team.",
}
ITEMS_PER_STREAM = 40
WINDOW_DAYS = 88  # inside the maps' 90-day window


def _path(item, weights, ca_test: int, rng: random.Random) -> list[tuple[str, str, float]]:
    """(tool status, flow status, share of the item's time) in order; a rework loop sends the
    item from test back to development when the test stage's %C&A says so."""
    steps = []
    for (name, statuses), (queue_w, work_w) in zip(STAGES, weights, strict=True):
        (queue, queue_flow), (work, work_flow) = statuses
        steps.append((queue, queue_flow, queue_w * rng.uniform(0.6, 1.4)))
        steps.append((work, work_flow, work_w * rng.uniform(0.6, 1.4)))
        if name == "Test" and rng.random() * 100 > ca_test:
            steps.append(("in progress", A, weights[1][1] * 0.3))
            steps.append(("testing", A, weights[3][1] * 0.5))
    total = sum(share for _, _, share in steps)
    return [(tool, flow, share / total) for tool, flow, share in steps]


def _history(items, weights, ca_test: int, rng: random.Random) -> list[WorkItemStatusChange]:
    changes = []
    for item in items:  # the chosen items (40 per stream), no query per item
        span = (item.finished_at - item.created_at).total_seconds()
        at = item.created_at
        for tool, flow, share in _path(item, weights, ca_test, rng):
            changes.append(WorkItemStatusChange(work_item_id=item.id, to_status=flow, tool_status=tool, changed_at=at))
            at += dt.timedelta(seconds=int(span * share))
        changes.append(
            WorkItemStatusChange(
                work_item_id=item.id, to_status=WorkItemStatus.DONE, tool_status="done", changed_at=item.finished_at
            )
        )
    return changes


def _stages(vsm: ValueStreamMap, owner, ca, hours=None) -> list[MapStage]:
    return [
        MapStage(
            map=vsm,
            position=n,
            name=name,
            owner=owner,
            tool_statuses=[tool for tool, _ in statuses],
            complete_accurate_pct=ca[n - 1],
            typed_process_hours=None if hours is None else Decimal(hours[n - 1][0]),
            typed_wait_hours=None if hours is None else Decimal(hours[n - 1][1]),
        )
        for n, (name, statuses) in enumerate(STAGES, start=1)
    ]


@transaction.atomic
def seed_maps(ctx, *, now: dt.datetime | None = None) -> None:
    """Maps of payments, lending and core-ops; lending also has a future-state map."""
    now = now or timezone.now()
    streams = {vs.slug: vs for vs in ctx.value_streams if vs.slug in PROFILES}
    owner = ctx.users.get("vsm")
    for slug, profile in PROFILES.items():
        vs = streams.get(slug)
        if vs is None:
            continue
        vsm, created = ValueStreamMap.objects.get_or_create(
            value_stream=vs,
            state=MapState.CURRENT,
            defaults={"title": f"{vs.name}: current state", "notes": profile["notes"]},
        )
        if not created:
            continue
        MapStage.objects.bulk_create(_stages(vsm, owner, profile["ca"]), ignore_conflicts=True)
        items = list(
            WorkItem.objects.filter(
                value_stream=vs,
                status=WorkItemStatus.DONE,
                created_at__gte=now - dt.timedelta(days=WINDOW_DAYS),
                finished_at__lte=now,
            ).order_by("id")[:ITEMS_PER_STREAM]
        )
        rng = random.Random(f"vsm-{slug}")
        changes = _history(items, profile["weights"], profile["ca"][3], rng)
        WorkItemStatusChange.objects.bulk_create(changes, batch_size=1000, ignore_conflicts=True)
        WorkItem.objects.filter(id__in=[item.id for item in items]).update(tool_status="done")
    vs = streams.get(FUTURE["slug"])
    if vs is None:
        return
    future, created = ValueStreamMap.objects.get_or_create(
        value_stream=vs, state=MapState.FUTURE, defaults={"title": f"{vs.name}: future state", "notes": FUTURE["notes"]}
    )
    if not created:
        return
    MapStage.objects.bulk_create(_stages(future, owner, FUTURE["ca"], FUTURE["stages"]), ignore_conflicts=True)
    stages = {s.name: s for s in MapStage.objects.filter(map__value_stream=vs, map__state=MapState.CURRENT)}
    improvements = [
        ("Automate the regression suite", "Test", Priority.HIGH),
        ("Release on demand instead of a fortnightly window", "Release", Priority.HIGH),
        ("Refine stories inside the team, weekly", "Refinement", Priority.MEDIUM),
    ]
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                title=title,
                description="Improvement item of the lending value stream map.",
                owner=owner,
                priority=priority,
                rank=900 + n,
                value_stream=vs,
                map_stage=stages.get(stage),
                created_by=ctx.users.get("director"),
            )
            for n, (title, stage, priority) in enumerate(improvements)
        ]
    )
