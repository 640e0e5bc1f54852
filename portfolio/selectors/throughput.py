"""Throughput history and remaining work: what the Monte Carlo forecast (vmo) samples from.

Set-based: one grouped query for the weekly throughput of any number of value streams, one for
the remaining work of their epics and one for their MMPs. Python only places the grouped rows.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Floor

from portfolio.models import MMP, Epic, EpicState, MMPStatus, WorkItem, WorkItemStatus
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.delivery import SecondsBetween, _day_start, _weight

WEEK_SECONDS = 7 * 86400


@dataclass(frozen=True)
class Throughput:
    """Done items and done size (items without a size count 1) per week, oldest week first.

    Week k (0 = the latest) is [as_of - 7(k+1) days, as_of - 7k days): complete days only."""

    items: list[int]
    size: list[int]

    @property
    def weeks_with_data(self) -> int:
        return sum(1 for n in self.items if n)


def weekly_throughput(
    *, value_stream_ids: Iterable[int], as_of: dt.date, weeks: int, item_type: str | None = None
) -> dict[int, Throughput]:
    """Each stream's done work items per week over the `weeks` weeks before `as_of` (optionally of
    one flow item type): one grouped query; weeks without a done item are zeros."""
    ids = sorted(set(value_stream_ids))
    end = _day_start(as_of)
    start = end - dt.timedelta(weeks=weeks)
    rows = WorkItem.objects.filter(
        value_stream_id__in=ids, status=WorkItemStatus.DONE, finished_at__gte=start, finished_at__lt=end
    )
    if item_type:
        rows = rows.filter(item_type=item_type)
    grouped = (
        rows.annotate(week=Cast(Floor(SecondsBetween(end, "finished_at") / WEEK_SECONDS), IntegerField()))
        .order_by()
        .values("value_stream_id", "week")
        .annotate(n=Count("id"), size=Sum(_weight()))
        .values_list("value_stream_id", "week", "n", "size")
    )
    result = {vs_id: Throughput(items=[0] * weeks, size=[0] * weeks) for vs_id in ids}
    for vs_id, week, n, size in grouped:  # at most streams x weeks aggregated rows
        if 0 <= week < weeks:
            result[vs_id].items[weeks - 1 - week] = n
            result[vs_id].size[weeks - 1 - week] = size
    return result


@dataclass(frozen=True)
class RemainingWork:
    """Open work of an epic (mmp_id None) or MMP: size of items not done nor canceled."""

    value_stream_id: int
    epic_id: int
    mmp_id: int | None
    remaining: int


def remaining_work(*, value_stream_ids: Iterable[int]) -> list[RemainingWork]:
    """The streams' open epics and open MMPs with remaining work, in the stream's pull order:
    implementing epics first, then the WSJF rank (`RANK_ORDER`); an epic's MMPs by id. Two
    grouped queries; the epic order comes from the database."""
    ids = sorted(set(value_stream_ids))
    open_items = ~Q(work_items__status__in=[WorkItemStatus.DONE, WorkItemStatus.CANCELED])
    weight = Sum(_weight_of("work_items__size"), filter=open_items)
    epics = list(
        Epic.objects.open()
        .filter(value_stream_id__in=ids)
        .with_is_scored()
        .annotate(rest=weight, implementing=Case(When(state=EpicState.IMPLEMENTING, then=Value(1)), default=Value(0)))
        .filter(rest__gt=0)
        .order_by("value_stream_id", "-implementing", *RANK_ORDER)
        .values_list("value_stream_id", "id", "rest")
    )
    mmps = (
        MMP.objects.filter(epic__value_stream_id__in=ids)
        .exclude(status__in=[MMPStatus.RELEASED, MMPStatus.CANCELED])
        .annotate(rest=weight)
        .filter(rest__gt=0)
        .order_by("id")
        .values_list("epic_id", "id", "rest")
    )
    by_epic: dict[int, list[tuple[int, int]]] = {}
    for epic_id, mmp_id, rest in mmps:
        by_epic.setdefault(epic_id, []).append((mmp_id, rest))
    work = []
    for vs_id, epic_id, rest in epics:
        work.append(RemainingWork(vs_id, epic_id, None, rest))
        work.extend(RemainingWork(vs_id, epic_id, mmp_id, n) for mmp_id, n in by_epic.get(epic_id, []))
    return work


def _weight_of(field: str):
    return Coalesce(field, Value(1), output_field=IntegerField())
