"""Flow predictability per value stream and quarter (SAFe): actual / planned business value of
the MMPs committed at the quarter's planning event.

Planned: the MMPs frozen in the plan snapshot of the quarter's closed quarterly planning event,
each with the business value it was planned with. Delivered: those released by the quarter end
(or `as_of`, to date). Predictability = delivered business value / planned business value; the
target band is 80-100 %. No closed planning event, or nothing committed: no data (None).
"""

import datetime as dt
from dataclasses import dataclass

from portfolio.models import Quarter
from portfolio.selectors.base import quarter_previous
from portfolio.selectors.benefits import mmps_released_by
from vmo.plan_snapshot import PlanSnapshot
from vmo.selectors.overview import closed_planning_event

BAND_LOW, BAND_HIGH = 0.8, 1.0


@dataclass(frozen=True)
class Predictability:
    planned_count: int
    delivered_count: int
    planned_value: int
    delivered_value: int

    @property
    def ratio(self) -> float | None:
        return round(self.delivered_value / self.planned_value, 4) if self.planned_value else None

    @property
    def in_band(self) -> bool | None:
        ratio = self.ratio
        return None if ratio is None else BAND_LOW <= ratio <= BAND_HIGH


def predictability(*, quarter: Quarter, as_of: dt.date) -> dict[int, Predictability]:
    """Per value stream with committed MMPs in the quarter's plan (two queries)."""
    event = closed_planning_event(quarter=quarter)
    if event is None:
        return {}
    planned = PlanSnapshot.from_json(event.plan_snapshot).planned_mmps or {}
    if not planned:
        return {}
    delivered = mmps_released_by(mmp_ids=planned.keys(), day=min(as_of, quarter.end))
    per_stream: dict[int, list[int]] = {}
    for mmp in planned.values():  # at most a quarter's committed MMPs, already in memory
        row = per_stream.setdefault(mmp.value_stream_id, [0, 0, 0, 0])
        row[0] += 1
        row[2] += mmp.business_value
        if mmp.id in delivered:
            row[1] += 1
            row[3] += mmp.business_value
    return {
        vs_id: Predictability(planned_count=a, delivered_count=b, planned_value=c, delivered_value=d)
        for vs_id, (a, b, c, d) in per_stream.items()
    }


def predictability_trend(*, quarter: Quarter, as_of: dt.date, count: int = 4) -> list[tuple[Quarter, dict]]:
    """The last `count` quarters up to `quarter`, oldest first, each with `predictability`."""
    quarters = [quarter]
    while len(quarters) < count:
        previous = quarter_previous(quarter=quarters[-1])
        if previous is None:
            break
        quarters.append(previous)
    return [(q, predictability(quarter=q, as_of=as_of)) for q in reversed(quarters)]
