"""What the money bought, per value stream and quarter: the figures of issue 12 that the rollup
keeps in `ValueStreamSnapshot.value_detail` (one JSON column, keys below).

Each figure comes from its owning app's selector (set-based, a constant number of queries for
any number of value streams); this module only assembles them. A figure without data is None
(JSON null), never 0: "no benefit recorded" is not "no benefit".
"""

import datetime as dt

from funding.selectors.actuals import actual_cost_by_value_stream, cost_reconciliation
from funding.selectors.economics import ratio
from kanban.selectors import (
    epic_cycle_time_days,
    epic_throughput,
    last_value_release,
    no_value_days,
    time_to_value_days,
)
from portfolio.models import Quarter
from portfolio.selectors.benefits import benefit_sums_by_value_stream, mvps_unevaluated
from vmo.selectors.predictability import predictability

# key -> what it means (money in cents; days as floats; ratios 0..n).
VALUE_FIGURES = {
    "benefit_planned_cents": "planned money benefit in the quarter to date",
    "benefit_realised_cents": "money benefit measured in the quarter to date",
    "benefit_planned_to_date_cents": "planned money benefit since each benefit's start",
    "benefit_realised_to_date_cents": "money benefit measured to date",
    "actual_cost_cents": "actual cost to date of the stream's epics (the sprint rule + tagged spend)",
    "return_realised": "benefit realised to date / actual cost to date of epics with a money benefit",
    "return_planned": "planned benefit over the horizon / estimate of epics with a money benefit",
    "time_to_value_median_days": "funnel -> first MVP/MMP release, epics first released in the quarter",
    "time_to_value_p85_days": "85th percentile of the same",
    "epic_cycle_time_median_days": "portfolio backlog -> done, epics done in the quarter",
    "epic_cycle_time_p85_days": "85th percentile of the same",
    "epic_throughput": "epics done in the quarter to date",
    "last_value_release": "day of the latest MVP/MMP release (ISO date)",
    "days_since_value_release": "days from the latest release to as_of",
    "no_value_alarm": "no release of user value within NO_VALUE_RELEASE_DAYS",
    "planned_mmps": "MMPs committed at the quarter's planning",
    "delivered_mmps": "of those, released by quarter end / to date",
    "planned_business_value": "their planned business value",
    "delivered_business_value": "business value of the delivered ones",
    "predictability": "delivered / planned business value (SAFe band 80-100 %)",
    "cost_flagged_months": "months whose labour spend strays from team sprint cost beyond the tolerance",
    "mvps_unevaluated": "released MVPs not evaluated after MVP_EVALUATION_WEEKS",
}


def _empty() -> dict:
    return dict.fromkeys(VALUE_FIGURES)


def value_figures(*, quarter: Quarter, as_of: dt.date, value_stream_ids: list[int]) -> dict[int, dict]:
    """The `value_detail` of each value stream (every key present, None without data)."""
    last_day = min(as_of, quarter.end)
    benefits = benefit_sums_by_value_stream(quarter=quarter, as_of=as_of, value_stream_ids=value_stream_ids)
    costs = actual_cost_by_value_stream(value_stream_ids=value_stream_ids)
    returns = actual_cost_by_value_stream(value_stream_ids=value_stream_ids, money_benefit_only=True)
    ttv = time_to_value_days(start=quarter.start, end=last_day, value_stream_ids=value_stream_ids)
    cycle = epic_cycle_time_days(start=quarter.start, end=last_day, value_stream_ids=value_stream_ids)
    throughput = epic_throughput(start=quarter.start, end=last_day, value_stream_ids=value_stream_ids)
    released = last_value_release(until=as_of, value_stream_ids=value_stream_ids)
    plans = predictability(quarter=quarter, as_of=as_of)
    flagged: dict[int, list[str]] = {}
    months = cost_reconciliation(start=quarter.start, end=last_day, quarter=quarter, value_stream_ids=value_stream_ids)
    for row in months:
        if row.flagged:
            flagged.setdefault(row.value_stream_id, []).append(row.month.isoformat())
    unevaluated: dict[int, int] = {}
    for vs_id in (
        mvps_unevaluated(today=as_of)
        .filter(epic__value_stream_id__in=value_stream_ids)
        .values_list("epic__value_stream_id", flat=True)
    ):
        unevaluated[vs_id] = unevaluated.get(vs_id, 0) + 1
    alarm_days = no_value_days()

    result = {}
    for vs_id in value_stream_ids:  # assembling aggregated dicts; no queries in this loop
        figures = _empty()
        benefit = benefits.get(vs_id)
        if benefit:
            figures["benefit_planned_cents"] = benefit["planned_cents"]
            figures["benefit_realised_cents"] = benefit["realised_cents"]
            figures["benefit_planned_to_date_cents"] = benefit["planned_to_date_cents"]
            figures["benefit_realised_to_date_cents"] = benefit["realised_to_date_cents"]
            own = returns.get(vs_id, {})
            figures["return_realised"] = ratio(benefit["realised_to_date_cents"], own.get("actual_cents"))
        if vs_id in costs:
            figures["actual_cost_cents"] = costs[vs_id]["actual_cents"]
        if benefit and vs_id in returns:
            figures["return_planned"] = ratio(benefit["horizon_cents"], returns[vs_id]["estimate_cents"])
        if vs_id in ttv:
            figures["time_to_value_median_days"], figures["time_to_value_p85_days"] = ttv[vs_id]
        if vs_id in cycle:
            figures["epic_cycle_time_median_days"], figures["epic_cycle_time_p85_days"] = cycle[vs_id]
        figures["epic_throughput"] = throughput.get(vs_id, 0)
        last = released.get(vs_id)
        if last is not None:
            figures["last_value_release"] = last.isoformat()
            figures["days_since_value_release"] = (as_of - last).days
        days = figures["days_since_value_release"]
        figures["no_value_alarm"] = days is None or days > alarm_days
        plan = plans.get(vs_id)
        if plan is not None:
            figures["planned_mmps"] = plan.planned_count
            figures["delivered_mmps"] = plan.delivered_count
            figures["planned_business_value"] = plan.planned_value
            figures["delivered_business_value"] = plan.delivered_value
            figures["predictability"] = plan.ratio
        figures["cost_flagged_months"] = flagged.get(vs_id, [])
        figures["mvps_unevaluated"] = unevaluated.get(vs_id, 0)
        result[vs_id] = figures
    return result
