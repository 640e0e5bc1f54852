"""Earned value management of a project-mode epic, as of a day.

The definitions (PV, EV by either method, AC, SPI, CPI, EAC, the RAG thresholds) are written
once in `portfolio/metrics.py` (group "Project"), shown at /metrics/; this module implements
them. It lives in funding because actual cost does (`funding.selectors.actuals`, the cost
rule). Money is integer cents; the ratios are Decimals to four places. Four queries at most.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.selectors.actuals import sprint_share_cents, tagged_spend_cents
from portfolio.models import EarnedValueMethod, Epic, Milestone, ProjectPhase, ProjectPlan, WorkItem, WorkItemStatus

RATIO_PLACES = Decimal("0.0001")


class Rag:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class EarnedValue:
    """One project's earned-value figures on `as_of`; a figure without data is None."""

    epic_id: int
    as_of: dt.date
    method: str
    bac_cents: int
    pv_cents: int | None
    ev_cents: int | None
    ac_cents: int
    spi: Decimal | None
    cpi: Decimal | None
    eac_cents: int | None
    rag: str | None
    baseline_finish: dt.date | None
    forecast_finish: dt.date | None

    @property
    def slip_days(self) -> int | None:
        if self.baseline_finish is None or self.forecast_finish is None:
            return None
        return (self.forecast_finish - self.baseline_finish).days


def _ratio(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def _share(bac: int, part: int, whole: int) -> int:
    """BAC x part / whole, rounded down to the cent (exact integers, no float)."""
    return bac * part // whole


def rag_status(*, spi: Decimal | None, cpi: Decimal | None) -> str | None:
    """Green, amber or red from the worse of SPI and CPI (settings PROJECT_RAG_GREEN/AMBER);
    None when neither can be computed."""
    known = [value for value in (spi, cpi) if value is not None]
    if not known:
        return None
    worst = min(known)
    if worst >= Decimal(str(settings.PROJECT_RAG_GREEN)):
        return Rag.GREEN
    if worst >= Decimal(str(settings.PROJECT_RAG_AMBER)):
        return Rag.AMBER
    return Rag.RED


def _actual_cost_cents(*, epic_id: int, as_of: dt.date) -> int:
    """AC to the day: the epic's sprint shares of sprints ended by then, plus its tagged spend of
    the months begun by then (the cost rule of funding.selectors.actuals, cut at the day)."""
    row = (
        Epic.objects.filter(id=epic_id)
        .annotate(sprint=sprint_share_cents("epic", until=as_of), tagged=tagged_spend_cents(until=as_of))
        .values("sprint", "tagged")
        .get()
    )
    return int(row["sprint"]) + int(row["tagged"])


def _percent_complete(*, epic_id: int, as_of: dt.date) -> tuple[int, int]:
    """(size done by the end of the day, total size) of the epic's work items, canceled left out,
    an item without a size counting 1."""
    size = Coalesce("size", Value(1), output_field=IntegerField())
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    end = timezone.make_aware(end)
    row = (
        WorkItem.objects.filter(epic_id=epic_id)
        .exclude(status=WorkItemStatus.CANCELED)
        .aggregate(
            total=Coalesce(Sum(size), 0),
            done=Coalesce(Sum(size, filter=Q(status=WorkItemStatus.DONE, finished_at__lt=end)), 0),
        )
    )
    return int(row["done"]), int(row["total"])


def epic_earned_value(*, epic_id: int, as_of: dt.date) -> EarnedValue | None:
    """The earned-value figures of a project on a day; None when the epic has no project plan."""
    plan = ProjectPlan.objects.filter(epic_id=epic_id).values("baseline_budget_cents", "ev_method").first()
    if plan is None:
        return None
    bac = plan["baseline_budget_cents"]
    milestones = Milestone.objects.filter(epic_id=epic_id).aggregate(
        total=Coalesce(Sum("weight"), 0),
        planned=Coalesce(Sum("weight", filter=Q(baseline_date__lte=as_of)), 0),
        earned=Coalesce(Sum("weight", filter=Q(completed_on__lte=as_of)), 0),
        count=Count("id"),
        baseline_last=Max("baseline_date"),
        forecast_last=Max("forecast_date"),
    )
    phases = ProjectPhase.objects.filter(epic_id=epic_id).aggregate(
        baseline_end=Max("baseline_end"), forecast_end=Max("forecast_end"), start=Min("baseline_start")
    )
    total = milestones["total"]
    pv = _share(bac, milestones["planned"], total) if total else None
    if plan["ev_method"] == EarnedValueMethod.PERCENT_COMPLETE:
        done, size = _percent_complete(epic_id=epic_id, as_of=as_of)
        ev = _share(bac, done, size) if size else None
    else:
        ev = _share(bac, milestones["earned"], total) if total else None
    ac = _actual_cost_cents(epic_id=epic_id, as_of=as_of)
    spi = _ratio(ev, pv)
    cpi = _ratio(ev, ac)
    # EAC = BAC / CPI = BAC x AC / EV, in exact integers (rounded down to the cent); without a
    # CPI (nothing earned or nothing spent yet) there is no cost efficiency to extrapolate.
    eac = bac * ac // ev if ev and ac else None
    finishes_baseline = [d for d in (milestones["baseline_last"], phases["baseline_end"]) if d]
    finishes_forecast = [d for d in (milestones["forecast_last"], phases["forecast_end"]) if d]
    return EarnedValue(
        epic_id=epic_id,
        as_of=as_of,
        method=plan["ev_method"],
        bac_cents=bac,
        pv_cents=pv,
        ev_cents=ev,
        ac_cents=ac,
        spi=spi,
        cpi=cpi,
        eac_cents=eac,
        rag=rag_status(spi=spi, cpi=cpi),
        baseline_finish=max(finishes_baseline) if finishes_baseline else None,
        forecast_finish=max(finishes_forecast) if finishes_forecast else None,
    )
