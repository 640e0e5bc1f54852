"""Actual cost per epic and per release, and the reconciliation of team cost with spend.

THE COST RULE (the one place it is written; `/metrics/` quotes it):

- A fixed-cost team's sprint costs `TeamSprint.cost_cents`. It is spread over the epics of the
  work items linked to that sprint that are done, in proportion to their size (an item without
  a size counts 1): each done item gets floor(sprint cost x its size / the sprint's done size)
  and an epic sums its items' shares. Items of no epic take their share too, so a sprint spent
  on unplanned work does not inflate the epics'; the cents lost to rounding down (under one per
  item) stay unattributed. A sprint with no done work attributes nothing.
- A spend row tagged with an epic (not void) adds its amount to that epic directly.
- Actual cost of an epic = its sprint shares + its tagged spend. Cost per release (MVP/MMP)
  applies the same sprint rule through the work items' MVP/MMP (tagged spend names epics only).
- Forecast at completion: done epic -> the actual; no actual yet -> the estimate; some of its
  work done -> actual x total size / done size (the spend rate so far continues); otherwise the
  larger of estimate and actual. Variance = forecast at completion - estimate (positive: overrun).

Every figure is a correlated subquery or an aggregate: one query per list, whatever its length.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from funding.models import Guardrail, Spend, TeamSprint
from portfolio.models import MMP, Epic, EpicState, Quarter, WorkItemStatus
from portfolio.selectors.delivery import progress_annotations

SprintItem = TeamSprint.work_items.through

DEFAULT_COST_TOLERANCE_PCT = 10


def _size(prefix: str = "workitem__"):
    return Coalesce(F(f"{prefix}size"), Value(1), output_field=IntegerField())


def _sprint_done_size():
    """The done size of the sprint of the outer link row."""
    return Subquery(
        SprintItem.objects.filter(teamsprint=OuterRef("teamsprint"), workitem__status=WorkItemStatus.DONE)
        .order_by()
        .values("teamsprint")
        .annotate(total=Sum(_size()))
        .values("total"),
        output_field=IntegerField(),
    )


def sprint_share_cents(link: str, *, until: dt.date | None = None):
    """Sum of the sprint shares of the outer epic (`link="epic"`) or MVP/MMP (`"mmp"`); with
    `until`, of the sprints that ended on or before that day only (earned value's AC to a date)."""
    links = SprintItem.objects.filter(**{f"workitem__{link}": OuterRef("pk")}, workitem__status=WorkItemStatus.DONE)
    if until is not None:
        links = links.filter(teamsprint__end__lte=until)
    shares = (
        links.annotate(sprint_size=_sprint_done_size())
        .order_by()
        .values(f"workitem__{link}")
        .annotate(
            total=Sum(
                ExpressionWrapper(
                    F("teamsprint__cost_cents") * _size() / F("sprint_size"), output_field=BigIntegerField()
                )
            )
        )
        .values("total")
    )
    return Coalesce(Subquery(shares, output_field=BigIntegerField()), Value(0))


def tagged_spend_cents(*, until: dt.date | None = None):
    """Spend tagged with the outer epic (not void); with `until`, of the months begun by then."""
    spend = Spend.objects.filter(epic=OuterRef("pk"), voided_at__isnull=True)
    if until is not None:
        spend = spend.filter(month__lte=until)
    spend = spend.order_by().values("epic").annotate(total=Sum("amount_cents")).values("total")
    return Coalesce(Subquery(spend, output_field=BigIntegerField()), Value(0))


def with_actuals(epics: QuerySet[Epic]) -> QuerySet[Epic]:
    """Epics annotated with `sprint_cost_cents`, `tagged_spend_cents`, `actual_cents`,
    `size_done`, `size_total`, `forecast_cents` (at completion) and `variance_cents`."""
    eac = Case(
        When(state=EpicState.DONE, then=F("actual_cents")),
        When(actual_cents=0, then=F("estimated_cost_cents")),
        When(size_done__gt=0, then=F("actual_cents") * F("size_total") / F("size_done")),
        default=Greatest(Coalesce(F("estimated_cost_cents"), F("actual_cents")), F("actual_cents")),
        output_field=BigIntegerField(),
    )
    return (
        epics.annotate(
            sprint_cost_cents=sprint_share_cents("epic"),
            tagged_spend_cents=tagged_spend_cents(),
            **progress_annotations("epic"),
        )
        .annotate(actual_cents=F("sprint_cost_cents") + F("tagged_spend_cents"))
        .annotate(forecast_cents=eac)
        .annotate(
            variance_cents=ExpressionWrapper(
                F("forecast_cents") - F("estimated_cost_cents"), output_field=BigIntegerField()
            )
        )
    )


def epic_actuals(*, epic_id: int) -> Epic:
    """One epic with the annotations of `with_actuals` (one query)."""
    return with_actuals(Epic.objects.filter(id=epic_id)).get()


def mmps_with_cost(*, epic_id: int) -> QuerySet[MMP]:
    """An epic's MVPs/MMPs with `actual_cents` (cost per release, the sprint rule)."""
    return MMP.objects.filter(epic_id=epic_id).annotate(actual_cents=sprint_share_cents("mmp")).order_by("id")


def actual_cost_by_value_stream(*, value_stream_ids=None, money_benefit_only: bool = False) -> dict[int, dict]:
    """Per value stream: `actual_cents` and `estimate_cents` summed over its epics (one query).

    With `money_benefit_only`, only epics that carry a money benefit count (the population of
    the return on the money, so benefit and cost describe the same epics).
    """
    epics = Epic.objects.all()
    if value_stream_ids is not None:
        epics = epics.filter(value_stream_id__in=list(value_stream_ids))
    if money_benefit_only:
        epics = epics.filter(benefits__kind="money").distinct()
        # distinct + aggregation do not mix: select the ids first.
        epics = Epic.objects.filter(id__in=epics.values("id"))
    rows = (
        epics.annotate(sprint_cost_cents=sprint_share_cents("epic"), tagged_spend_cents=tagged_spend_cents())
        .order_by()
        .values("value_stream_id")
        .annotate(
            actual=Sum(F("sprint_cost_cents") + F("tagged_spend_cents")),
            estimate=Sum("estimated_cost_cents"),
        )
    )
    return {
        row["value_stream_id"]: {"actual_cents": int(row["actual"] or 0), "estimate_cents": row["estimate"]}
        for row in rows
    }


# --- team cost against labour spend --------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """A value stream's month: labour spend against the cost of its teams' sprints ending in it."""

    value_stream_id: int
    month: dt.date
    # None: no labour booked for the month yet (a month's actuals arrive when it closes, as the
    # forecast assumes): no data, not a -100 % deviation, not flagged.
    labour_cents: int | None
    team_cost_cents: int | None  # None: no sprint recorded that month (no data, not flagged)
    tolerance_pct: int

    @property
    def deviation(self) -> float | None:
        """(labour - team cost) / team cost; None without sprints, without labour, or when both are zero."""
        if self.team_cost_cents is None or self.labour_cents is None:
            return None
        if self.team_cost_cents == 0:
            return None if self.labour_cents == 0 else 1.0
        return (self.labour_cents - self.team_cost_cents) / self.team_cost_cents

    @property
    def flagged(self) -> bool:
        if self.team_cost_cents is None or self.labour_cents is None:
            return False
        # Exact in integers: |labour - cost| x 100 > tolerance x cost.
        return abs(self.labour_cents - self.team_cost_cents) * 100 > self.tolerance_pct * self.team_cost_cents


def cost_tolerance_pct(*, quarter: Quarter | None) -> int:
    """The guardrail's tolerance for team cost against spend (default 10 % without a guardrail)."""
    if quarter is None:
        return DEFAULT_COST_TOLERANCE_PCT
    value = Guardrail.objects.filter(budget__quarter=quarter).values_list("cost_tolerance_pct", flat=True).first()
    return DEFAULT_COST_TOLERANCE_PCT if value is None else int(value)


def cost_reconciliation(
    *,
    start: dt.date,
    end: dt.date,
    quarter: Quarter | None = None,
    value_stream_ids=None,
    tolerance_pct: int | None = None,
) -> list[Reconciliation]:
    """Per value stream and month in [start, end]: labour spend (not void) against the cost of
    the sprints of its teams that end in that month. Two aggregate queries (three without
    `tolerance_pct`: the tolerance of `quarter`'s guardrail); months with neither spend nor
    sprints are left out, and a month with sprints but no labour booked yet is shown without a
    deviation."""
    tolerance = cost_tolerance_pct(quarter=quarter) if tolerance_pct is None else tolerance_pct
    spend = Spend.objects.filter(
        voided_at__isnull=True, category="labour", month__gte=start.replace(day=1), month__lte=end
    )
    sprints = TeamSprint.objects.filter(end__gte=start.replace(day=1), end__lte=end)
    if value_stream_ids is not None:
        ids = list(value_stream_ids)
        spend = spend.filter(value_stream_id__in=ids)
        sprints = sprints.filter(team__value_stream_id__in=ids)
    labour = {
        (row["value_stream_id"], row["month"]): int(row["total"])
        for row in spend.order_by().values("value_stream_id", "month").annotate(total=Sum("amount_cents"))
    }
    team = {
        (row["team__value_stream_id"], _as_date(row["m"])): int(row["total"])
        for row in sprints.annotate(m=TruncMonth("end"))
        .order_by()
        .values("team__value_stream_id", "m")
        .annotate(total=Sum("cost_cents"))
    }
    keys = sorted(set(labour) | set(team), key=lambda k: (k[0], k[1]))
    return [
        Reconciliation(
            value_stream_id=vs_id,
            month=month,
            labour_cents=labour.get((vs_id, month)),
            team_cost_cents=team.get((vs_id, month)),
            tolerance_pct=tolerance,
        )
        for vs_id, month in keys
    ]


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value
