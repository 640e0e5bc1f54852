"""Demo delivery data: 18 months of work items, deployments and incidents per demo value stream.

Shaped so the streams differ visibly: Digital Payments delivers like an elite DORA performer
(several deployments a day, lead time in hours, few failures), Core Banking Operations
struggles (monthly releases, lead time in weeks, a third of them failing, long flow times and
a pile of work in progress); the others sit in between.

Idempotent: fixed random seeds and external ids, rows created with `bulk_create(
ignore_conflicts=True)` keyed on (source, external id), so a second run adds nothing.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portfolio.models import (
    Deployment,
    Epic,
    EpicState,
    FlowItemType,
    Incident,
    Source,
    SourceRule,
    StatusMapping,
    ValueStream,
    WorkItem,
    WorkItemStatus,
)

DAYS = 548  # eighteen months


@dataclass(frozen=True)
class Profile:
    items_per_week: float
    flow_days: float  # median flow time
    efficiency: float  # active share of flow time
    deploys_per_day: float
    lead_hours: float  # median first commit -> deployed
    failure_rate: float
    recovery_hours: float
    mix: tuple[float, float, float, float]  # feature, defect, risk, debt


ELITE = Profile(8, 2.5, 0.55, 2.0, 3, 0.03, 0.5, (0.7, 0.15, 0.05, 0.10))
HIGH = Profile(6, 5, 0.40, 0.45, 30, 0.12, 6, (0.6, 0.2, 0.05, 0.15))
MEDIUM = Profile(4, 10, 0.30, 0.16, 110, 0.14, 20, (0.55, 0.25, 0.05, 0.15))
STRUGGLING = Profile(3, 35, 0.12, 0.025, 900, 0.35, 200, (0.35, 0.45, 0.05, 0.15))
QUIET = Profile(1.2, 15, 0.30, 0.04, 300, 0.10, 48, (0.6, 0.25, 0.05, 0.10))

PROFILES = {
    "payments": ELITE,
    "onboarding": HIGH,
    "mobile": HIGH,
    "lending": MEDIUM,
    "data": MEDIUM,
    "core-ops": STRUGGLING,
    "hr": QUIET,
    "finance": QUIET,
}

STATUS_MAPPINGS = {
    Source.JIRA: {
        "To Do": "new",
        "In Progress": "active",
        "In Review": "waiting",
        "Blocked": "waiting",
        "Done": "done",
    },
    Source.GITHUB: {"in progress": "active", "blocked": "waiting"},
    Source.GITLAB: {"doing": "active", "blocked": "waiting"},
}


def _lognormal(rng: random.Random, median: float, spread: float = 0.6) -> float:
    return median * math.exp(rng.gauss(0, spread))


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; means here are small.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _work_items(vs: ValueStream, profile: Profile, rng: random.Random, start, now, epic_ids) -> list[WorkItem]:
    items = []
    types = [FlowItemType.FEATURE, FlowItemType.DEFECT, FlowItemType.RISK, FlowItemType.DEBT]
    n = 0
    for week in range(DAYS // 7 + 1):
        week_start = start + dt.timedelta(weeks=week)
        for _ in range(_poisson(rng, profile.items_per_week)):
            n += 1
            created = week_start + dt.timedelta(hours=rng.uniform(0, 7 * 24))
            if created > now:
                continue
            started = created + dt.timedelta(days=rng.expovariate(1 / max(profile.flow_days / 3, 0.5)))
            flow = dt.timedelta(days=_lognormal(rng, profile.flow_days))
            finished = started + flow
            item = WorkItem(
                value_stream_id=vs.id,
                source=Source.JIRA,
                external_id=f"{vs.slug.upper()}-{n}",
                title=f"{vs.name} item {n}",
                item_type=rng.choices(types, weights=profile.mix)[0],
                size=rng.choice([1, 2, 3, 3, 5, 5, 8, None]),
                created_at=created,
                epic_id=rng.choice(epic_ids) if epic_ids and rng.random() < 0.5 else None,
            )
            if finished <= now:
                active = int(flow.total_seconds() * min(max(rng.gauss(profile.efficiency, 0.08), 0.02), 0.98))
                item.status = WorkItemStatus.DONE if rng.random() > 0.03 else WorkItemStatus.CANCELED
                item.started_at, item.finished_at, item.status_changed_at = started, finished, finished
                item.active_seconds, item.waiting_seconds = active, int(flow.total_seconds()) - active
            elif started <= now:
                item.status = (
                    WorkItemStatus.ACTIVE if rng.random() < profile.efficiency + 0.2 else WorkItemStatus.WAITING
                )
                item.started_at, item.status_changed_at = started, started
            else:
                item.status, item.status_changed_at = WorkItemStatus.NEW, created
            items.append(item)
    return items


def _deployments(vs: ValueStream, profile: Profile, rng: random.Random, start, now) -> list[Deployment]:
    rows, n = [], 0
    for day in range(DAYS + 1):
        day_start = start + dt.timedelta(days=day)
        if day_start.weekday() >= 5 and rng.random() < 0.8:
            continue  # mostly no weekend releases
        for _ in range(_poisson(rng, profile.deploys_per_day * 7 / 5.4)):
            n += 1
            deployed = day_start + dt.timedelta(hours=rng.uniform(8, 18))
            if deployed > now:
                continue
            rows.append(
                Deployment(
                    value_stream_id=vs.id,
                    source=Source.GITHUB,
                    external_id=f"demo/{vs.slug}:{n}",
                    environment="production",
                    deployed_at=deployed,
                    first_commit_at=deployed - dt.timedelta(hours=_lognormal(rng, profile.lead_hours, 0.7)),
                    succeeded=rng.random() > 0.02,
                )
            )
    return rows


def _incidents(vs: ValueStream, profile: Profile, rng: random.Random, deployments, now) -> list[Incident]:
    rows = []
    for deployment_id, external_id, deployed_at in deployments:
        if rng.random() >= profile.failure_rate:
            continue
        opened = deployed_at + dt.timedelta(minutes=rng.uniform(5, 120))
        resolved = deployed_at + dt.timedelta(hours=_lognormal(rng, profile.recovery_hours, 0.5))
        resolved = max(resolved, opened)
        rows.append(
            Incident(
                value_stream_id=vs.id,
                source=Source.MANUAL,
                external_id=f"INC-{external_id}",
                title=f"Production incident after {external_id}",
                opened_at=opened,
                resolved_at=resolved if resolved <= now else None,
                deployment_id=deployment_id,
            )
        )
    return rows


@transaction.atomic
def seed_delivery(*, value_streams: list[ValueStream], now: dt.datetime | None = None) -> dict[str, int]:
    """Create the demo delivery data of the demo value streams; returns rows created per kind."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=DAYS)
    for source, mapping in STATUS_MAPPINGS.items():
        StatusMapping.objects.bulk_create(
            [StatusMapping(source=source, tool_status=tool, flow_status=flow) for tool, flow in mapping.items()],
            ignore_conflicts=True,
        )
    created = {"work_items": 0, "deployments": 0, "incidents": 0}
    for vs in value_streams:
        profile = PROFILES.get(vs.slug)
        if profile is None:
            continue
        SourceRule.objects.get_or_create(source=Source.GITHUB, pattern=f"demo/{vs.slug}", defaults={"value_stream": vs})
        SourceRule.objects.get_or_create(source=Source.JIRA, pattern=vs.slug.upper(), defaults={"value_stream": vs})
        if WorkItem.objects.filter(value_stream=vs, source=Source.JIRA).exists():
            continue  # already seeded: the same seed would produce the same rows
        rng = random.Random(f"delivery-{vs.slug}")
        epic_ids = list(
            Epic.objects.filter(value_stream=vs, state__in=[EpicState.IMPLEMENTING, EpicState.DONE]).values_list(
                "id", flat=True
            )
        )
        items = _work_items(vs, profile, rng, start, now, epic_ids)
        WorkItem.objects.bulk_create(items, batch_size=1000, ignore_conflicts=True)
        deployments = _deployments(vs, profile, rng, start, now)
        Deployment.objects.bulk_create(deployments, batch_size=1000, ignore_conflicts=True)
        stored = Deployment.objects.filter(value_stream=vs, source=Source.GITHUB).values_list(
            "id", "external_id", "deployed_at"
        )
        incidents = _incidents(vs, profile, rng, stored.order_by("deployed_at", "id"), now)
        Incident.objects.bulk_create(incidents, batch_size=1000, ignore_conflicts=True)
        created["work_items"] += len(items)
        created["deployments"] += len(deployments)
        created["incidents"] += len(incidents)
    return created
