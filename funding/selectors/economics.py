"""Epic economics: what an epic was estimated to cost, has cost, will cost, and what it brings.

Composes the cost rule (`funding.selectors.actuals`) with portfolio's benefit figures; served at
`GET /api/epics/{id}/economics/` and shown on the epic page. Four queries, whatever the epic.

Return on the money, and its assumptions (stated wherever it is shown):
- realised return = money benefit realised to date / actual cost to date;
- planned return = planned money benefit over the horizon (BENEFIT_HORIZON_MONTHS, from each
  benefit's start month) / the estimate.
Either is null when a side is missing or zero (no money benefit, no cost yet, no estimate).
"""

import datetime as dt
from dataclasses import dataclass, field

from funding.selectors.actuals import epic_actuals, mmps_with_cost
from portfolio.selectors.benefits import benefit_horizon_months, benefit_sums_by_epic


def return_assumption() -> str:
    months = benefit_horizon_months()
    return (
        "Realised return = money benefit measured to date / actual cost to date. Planned return = "
        f"planned money benefit over {months} months from each benefit's start / the estimate. "
        "Leading indicators carry no money and are not counted."
    )


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator rounded to 4 places; None without data or with a zero denominator."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 4)


@dataclass(frozen=True)
class ReleaseCost:
    id: int
    kind: str
    title: str
    status: str
    released_on: dt.date | None
    actual_cents: int


@dataclass(frozen=True)
class EpicEconomics:
    epic_id: int
    key: str
    estimate_cents: int | None
    sprint_cost_cents: int
    tagged_spend_cents: int
    actual_cents: int
    forecast_cents: int | None
    variance_cents: int | None
    progress: float | None
    planned_benefit_cents: int | None
    planned_benefit_horizon_cents: int | None
    realised_benefit_cents: int | None
    realised_return: float | None
    planned_return: float | None
    horizon_months: int
    assumption: str
    releases: list[ReleaseCost] = field(default_factory=list)


def epic_economics(*, epic_id: int, as_of: dt.date) -> EpicEconomics:
    """The economics of one epic as of a day (raises Epic.DoesNotExist)."""
    epic = epic_actuals(epic_id=epic_id)
    benefit = benefit_sums_by_epic(epic_ids=[epic_id], as_of=as_of).get(epic_id)
    releases = [
        ReleaseCost(
            id=m.id, kind=m.kind, title=m.title, status=m.status, released_on=m.released_on, actual_cents=m.actual_cents
        )
        for m in mmps_with_cost(epic_id=epic_id)
    ]
    planned = benefit["planned_cents"] if benefit else None
    horizon = benefit["horizon_cents"] if benefit else None
    realised = benefit["realised_cents"] if benefit else None
    return EpicEconomics(
        epic_id=epic.id,
        key=epic.key,
        estimate_cents=epic.estimated_cost_cents,
        sprint_cost_cents=epic.sprint_cost_cents,
        tagged_spend_cents=epic.tagged_spend_cents,
        actual_cents=epic.actual_cents,
        forecast_cents=epic.forecast_cents,
        variance_cents=epic.variance_cents,
        progress=ratio(epic.size_done, epic.size_total),
        planned_benefit_cents=planned,
        planned_benefit_horizon_cents=horizon,
        realised_benefit_cents=realised,
        realised_return=ratio(realised, epic.actual_cents),
        planned_return=ratio(horizon, epic.estimated_cost_cents),
        horizon_months=benefit_horizon_months(),
        assumption=return_assumption(),
        releases=releases,
    )
