"""Reads for the value stream page: its snapshot and trends, epics and MMPs with delivery
progress, the cumulative flow of its epics over the Kanban states, burn against allocation,
and its OKRs. Each piece is one query whatever the number of rows (the page's count is pinned).
"""

import datetime as dt
from dataclasses import dataclass, field

from funding.selectors import (
    quarter_months,
    run_change_by_month,
    run_change_totals,
    spend_by_month,
    value_stream_money,
    value_stream_sprint_panel,
)
from kanban.selectors import epic_cumulative_flow
from okrs.selectors import objectives_with_scores
from portfolio.models import Forecast, Quarter, RollupDue, ValueStream
from portfolio.modes import RUN_CHANGE, SPRINTS, ModeRules, mode_rules
from portfolio.money import chart_amount
from portfolio.selectors.delivery import epics_with_progress, mmps_with_progress
from portfolio.selectors.forecasts import value_stream_forecast
from vmo.models import ValueStreamSnapshot
from vmo.selectors.snapshots import snapshot_trend
from vmo.selectors.value import value_stream_value

TREND_FIELDS = [
    "as_of",
    "flow_velocity",
    "flow_time_median_days",
    "flow_time_p85_days",
    "flow_load",
    "flow_efficiency",
    "deployments_per_week",
    "lead_time_median_hours",
    "change_failure_rate",
    "recovery_time_median_hours",
    "delivery_progress",
]


def burn(*, value_stream_id: int, quarter: Quarter, as_of: dt.date) -> dict:
    """Cumulative spend per month of the quarter against the allocation and the forecast."""
    money = value_stream_money(quarter=quarter, as_of=as_of, value_stream_ids=[value_stream_id])[value_stream_id]
    rows = spend_by_month(value_stream_id=value_stream_id, quarter=quarter)
    running, cumulative = 0, []
    months = quarter_months(quarter)
    for month in months:  # three months
        if month > as_of:
            cumulative.append(None)
            continue
        running += rows.get(month, 0)
        cumulative.append(running)
    allocated = money.allocated_cents
    # No month booked yet: no rate, so no forecast (None shows as no data), not a forecast of 0.
    forecast = money.forecast_cents if money.has_forecast else None
    return {
        "labels": [m.strftime("%b %Y") for m in months],
        # The chart's series, in currency units like every chart's.
        "spent": [chart_amount(cents) for cents in cumulative],
        "allocated": chart_amount(allocated),
        "forecast": chart_amount(forecast),
        # The figures beside it, in cents for the money filter.
        "allocated_cents": allocated,
        "forecast_cents": forecast,
        "spent_total_cents": money.spent_cents if money else 0,
        # The months the forecast counts as booked (the others are forecast at their average).
        "booked_months": [m.strftime("%b %Y") for m in (money.booked_months if money else ())],
    }


@dataclass
class ValueStreamPage:
    value_stream: ValueStream
    quarter: Quarter | None
    snapshot: ValueStreamSnapshot | None = None
    epics: list = field(default_factory=list)
    mmps: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    forecast: Forecast | None = None
    value: dict = field(default_factory=dict)
    # What the stream's delivery mode shows (`portfolio.modes`): the template tests `panels`.
    rules: ModeRules | None = None
    sprints: dict | None = None  # agile: velocity, say/do, burn-up (funding.selectors.sprints)
    run_change: dict | None = None  # continuous: change vs run spend per month


def value_stream_page(*, value_stream: ValueStream, quarter: Quarter | None, as_of: dt.date) -> ValueStreamPage:
    page = ValueStreamPage(value_stream=value_stream, quarter=quarter, rules=mode_rules(value_stream.delivery_mode))
    page.epics = list(epics_with_progress(value_stream_id=value_stream.id))
    page.mmps = list(mmps_with_progress(value_stream_id=value_stream.id))
    page.forecast = value_stream_forecast(value_stream_id=value_stream.id)
    # The mode's own panels (portfolio.modes): their reads run only for the streams that show them.
    if SPRINTS in page.rules.panels:
        page.sprints = value_stream_sprint_panel(value_stream_id=value_stream.id, as_of=as_of)
    if RUN_CHANGE in page.rules.panels:
        page.run_change = {
            **run_change_by_month(value_stream_id=value_stream.id, as_of=as_of),
            **run_change_totals(value_stream_id=value_stream.id, as_of=as_of),
        }
        page.charts["run_change"] = {k: page.run_change[k] for k in ("labels", "run", "change")}
    if quarter is None:
        return page
    trend = list(snapshot_trend(value_stream_id=value_stream.id, quarter=quarter).values(*TREND_FIELDS))
    page.snapshot = (
        ValueStreamSnapshot.objects.filter(value_stream=value_stream, quarter=quarter).order_by("-as_of").first()
    )
    page.objectives = objectives_with_scores(value_stream_id=value_stream.id, quarter=quarter)
    end = min(as_of, quarter.end)
    page.charts |= {
        "trend": [{**row, "as_of": row["as_of"].isoformat()} for row in trend],
        "distribution": page.snapshot.flow_distribution if page.snapshot else {},
        "cfd": epic_cumulative_flow(value_stream_id=value_stream.id, start=quarter.start, end=max(end, quarter.start)),
        "burn": burn(value_stream_id=value_stream.id, quarter=quarter, as_of=as_of),
    }
    page.value = value_stream_value(value_stream=value_stream, quarter=quarter, as_of=as_of)
    page.charts["benefit"] = page.value["benefit_chart"]
    page.charts["predictability"] = page.value["predictability_chart"]
    return page


@dataclass(frozen=True)
class RollupProgress:
    """Where a requested rollup stands, read from the database only (never the result backend).

    `queued`: the outbox still holds the stream (waiting for, or being run by, a worker);
    `done`: the outbox row is gone and a snapshot was computed at or after the request;
    `idle`: neither (no current quarter to roll up, or the row was drained by a run that began
    before the request and a newer one is not due).
    """

    state: str
    due_since: dt.datetime | None
    computed_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.state != "queued"


def rollup_progress(*, value_stream_id: int, since: dt.datetime) -> RollupProgress:
    """Two small queries: the stream's outbox row and its newest snapshot's `computed_at`."""
    due_since = RollupDue.objects.filter(value_stream_id=value_stream_id).values_list("due_since", flat=True).first()
    computed_at = (
        ValueStreamSnapshot.objects.filter(value_stream_id=value_stream_id)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )
    if due_since is not None:
        state = "queued"
    elif computed_at is not None and computed_at >= since:
        state = "done"
    else:
        state = "idle"
    return RollupProgress(state=state, due_since=due_since, computed_at=computed_at)
