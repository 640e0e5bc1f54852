"""Demo delivery progress: every implementing epic partway done, between 15 % and 90 % of its size.

The delivery seeder deals 18 months of work items to implementing and done epics alike, so an
implementing epic read about 100 % done, and one the dice gave no item read "0 / 0 work items".
Here each implementing epic gets a target share (seeded by its key) and the work still to do
as new work items; an epic with nothing done yet first takes a few of its stream's recent done
items that no epic claimed. The two Core Banking projects (project mode, still in the portfolio
backlog) take done items too, so their actual cost, CPI and EAC have figures, and remaining work
matching their earned share (2 of 8, 1 of 8 milestone weights, see funding.demo_projects).

Runs after the team sprints (which link done items, the actual cost) and before the projects
(whose budgets are sized from that cost). Set-based and idempotent: a run that finds its own
items (source "manual", external id "PLAN-...") changes nothing.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.models import DeliveryMode, Epic, EpicState, FlowItemType, Source, WorkItem, WorkItemStatus

MARK = "PLAN-"
SHOWCASE_STREAM = "core-ops"  # the stream whose project-mode epics funding.demo_projects plans
SHOWCASE_PCT = (25, 12)  # the two projects' earned share, in the order demo_projects takes them
OPEN_STARTED = [WorkItemStatus.ACTIVE, WorkItemStatus.WAITING]
STEPS = ("Design", "Build", "Integrate", "Test", "Roll out", "Harden", "Document", "Migrate")


def _weight():
    return Coalesce("work_items__size", Value(1), output_field=IntegerField())


@transaction.atomic
def seed_progress(ctx, *, now: dt.datetime | None = None) -> int:
    """Shape the demo epics' progress; returns how many work items it created."""
    now = now or timezone.now()
    streams = ctx.value_streams
    if WorkItem.objects.filter(value_stream__in=streams, source=Source.MANUAL, external_id__startswith=MARK).exists():
        return 0
    showcase = list(
        Epic.objects.in_delivery_mode(DeliveryMode.PROJECT)
        .filter(value_stream__slug=SHOWCASE_STREAM, state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING])
        .order_by("key")
        .values_list("id", flat=True)[: len(SHOWCASE_PCT)]
    )
    target_pct = dict(zip(showcase, SHOWCASE_PCT, strict=False))
    epics = list(
        Epic.objects.filter(value_stream__in=streams)
        .filter(Q(state=EpicState.IMPLEMENTING) | Q(id__in=showcase))
        .annotate(
            done=Coalesce(Sum(_weight(), filter=Q(work_items__status=WorkItemStatus.DONE)), 0),
            open=Coalesce(
                Sum(_weight(), filter=Q(work_items__status__in=[WorkItemStatus.NEW, *OPEN_STARTED])),
                0,
            ),
        )
        .order_by("key")
    )
    _claim_done_items([e for e in epics if e.done == 0 or e.id in target_pct], now=now)
    # The claims changed the done sizes: read them again (one query).
    done = dict(
        WorkItem.objects.filter(epic__in=epics, status=WorkItemStatus.DONE)
        .order_by()
        .values("epic")
        .annotate(size=Sum(Coalesce("size", Value(1), output_field=IntegerField())))
        .values_list("epic", "size")
    )
    rows = []
    for epic in epics:
        rng = random.Random(f"progress-{epic.key}")
        pct = target_pct.get(epic.id) or rng.randint(15, 90)
        finished = done.get(epic.id, 0)
        # open size so that done / (done + open) = pct %, less what is open already
        missing = -(-finished * (100 - pct) // pct) - epic.open
        n = 0
        while missing > 0:
            n += 1
            size = min(missing, rng.choice((2, 3, 5, 8)))
            missing -= size
            started = n == 1  # the first slice is under way, the rest waits in the backlog
            created = now - dt.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 23))
            rows.append(
                WorkItem(
                    value_stream_id=epic.value_stream_id,
                    epic_id=epic.id,
                    source=Source.MANUAL,
                    external_id=f"{MARK}{epic.key}-{n}",
                    title=f"{STEPS[(n - 1) % len(STEPS)]}: {epic.title}"[:200],
                    item_type=FlowItemType.FEATURE if n % 4 else FlowItemType.DEBT,
                    size=size,
                    status=WorkItemStatus.ACTIVE if started else WorkItemStatus.NEW,
                    created_at=created,
                    started_at=now - dt.timedelta(days=2) if started else None,
                    status_changed_at=now - dt.timedelta(days=2) if started else created,
                )
            )
    WorkItem.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _claim_done_items(epics: list[Epic], *, now) -> None:
    """Give each of `epics` its stream's most recent done items no epic claimed (four each, six
    for a project), dealt in turn; one read per stream involved and one update per epic."""
    by_stream: dict[int, list[Epic]] = {}
    for epic in epics:
        by_stream.setdefault(epic.value_stream_id, []).append(epic)
    for stream_id, mine in by_stream.items():
        want = {e.id: 6 if e.state != EpicState.IMPLEMENTING else 4 for e in mine}
        free = list(
            WorkItem.objects.filter(
                value_stream_id=stream_id,
                epic__isnull=True,
                status=WorkItemStatus.DONE,
                finished_at__gte=now - dt.timedelta(days=120),
            )
            .order_by("-finished_at", "id")
            .values_list("id", flat=True)[: sum(want.values())]
        )
        for index, epic in enumerate(mine):
            share = free[index :: len(mine)][: want[epic.id]]
            if share:
                WorkItem.objects.filter(id__in=share).update(epic_id=epic.id)
