"""The drift report: what changed in the portfolio between two dates (by default the close of the
last quarterly planning event and today): epics' state, WSJF inputs, estimate or target quarter,
allocations, key-result targets, each with who and when. Read from each app's history selector.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from core.history import Change, end_of_day
from funding.selectors.history import allocation_drift, allocations_as_of
from okrs.selectors import key_result_target_drift, key_results_as_of
from portfolio.models import OPEN_STATES
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.history import epic_drift, epics_as_of
from vmo.models import PlanningEvent, PlanningEventKind, PlanningEventStatus


@dataclass(frozen=True)
class DriftReport:
    start: dt.date
    end: dt.date
    since_event: PlanningEvent | None
    epics: list[Change]
    allocations: list[Change]
    key_results: list[Change]

    @property
    def empty(self) -> bool:
        return not (self.epics or self.allocations or self.key_results)


def last_planning_close() -> PlanningEvent | None:
    """The quarterly planning event that closed last."""
    return (
        PlanningEvent.objects.filter(
            kind=PlanningEventKind.QUARTERLY_PLANNING, status=PlanningEventStatus.CLOSED, closed_at__isnull=False
        )
        .order_by("-closed_at")
        .first()
    )


def drift_report(*, start: dt.date | None = None, end: dt.date | None = None) -> DriftReport:
    """Changes after the end of `start` up to the end of `end` (default: the last quarterly
    planning close and today). Four queries: the event, then one per kind of change."""
    event = None
    end = end or timezone.localdate()
    if start is None:
        event = last_planning_close()
        start_at = event.closed_at if event else end_of_day(end - dt.timedelta(days=91))
        start = timezone.localtime(start_at).date()
    else:
        start_at = end_of_day(start)
    end_at = end_of_day(end)
    return DriftReport(
        start=start,
        end=end,
        since_event=event,
        epics=epic_drift(start=start_at, end=end_at),
        allocations=allocation_drift(start=start_at, end=end_at),
        key_results=key_result_target_drift(start=start_at, end=end_at),
    )


@dataclass(frozen=True)
class PortfolioAsOf:
    """The overview's "as it stood" section: the quarter's allocations, the open epics' top of
    the WSJF ranking and the quarter's key results, each as of the end of `day`."""

    day: dt.date
    allocations: list[dict]
    epics: list[dict]
    key_results: list[dict]


def portfolio_as_of(*, quarter, day: dt.date, top: int = 10) -> PortfolioAsOf:
    """Three queries, one per app's as-of selector."""
    allocations = list(
        allocations_as_of(day=day)
        .filter(budget__quarter=quarter)
        .order_by("value_stream__name")
        .values("amount_cents", name=F("value_stream__name"))
    )
    epics = list(
        epics_as_of(day=day)
        .filter(state__in=OPEN_STATES)
        .order_by(*RANK_ORDER)
        .values("key", "title", "state", "wsjf")[:top]
    )
    key_results = list(
        key_results_as_of(day=day)
        .filter(objective__quarter=quarter)
        .order_by("objective__title", "id")
        .values("title", "target", "current", "unit", "grade_value")
    )
    return PortfolioAsOf(day=day, allocations=allocations, epics=epics, key_results=key_results)
