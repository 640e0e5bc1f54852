"""The plan of a quarter as it stood when its quarterly planning event closed: one typed
structure, its writer (`plan_snapshot_take`) and its reader (`PlanSnapshot.from_json`) together.

Stored as JSON in `PlanningEvent.plan_snapshot`:

    {
      "version": 1,
      "quarter": "2026-Q3",
      "taken_at": "2026-07-02T10:15:00+00:00",          # ISO 8601
      "allocations": [                                  # the quarter's budget, per value stream
        {"value_stream_id": 3, "value_stream": "payments", "amount_cents": 250000000}
      ],
      "epics": [                                        # every open epic
        {"id": 12, "key": "PAY-7", "value_stream_id": 3, "state": "implementing",
         "wsjf": 4.2, "rank": 1}                         # rank: portfolio-wide WSJF order, 1 = first
      ],
      "key_results": [                                  # the quarter's KRs as planned
        {"id": 40, "objective_id": 9, "value_stream_id": 3, "title": "...",
         "direction": "increase", "baseline": "10.0000", "target": "20.0000", "current": "12.0000",
         "weight": "1.00"}                               # decimals as strings, never floats
      ],
      "planned_mmps": [
        {"mmp_id": 5, "epic_id": 12, "value_stream_id": 3, "cost_cents": 4000000,
         "business_value": 8}                            # planned business value (the epic's
                                                         # user-business value; absent or null: 1)
      ]
    }

A part that is missing or not a list reads as None: the "then and now" view then takes that part
from the history tables as of the close. Rows that are not well formed are skipped.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from funding.selectors import allocations_of_quarter
from okrs.selectors import key_results_as_planned
from portfolio.models import Epic, Quarter

VERSION = 1


@dataclass(frozen=True)
class PlannedEpic:
    id: int
    key: str
    value_stream_id: int
    state: str | None
    wsjf: float | None
    rank: int | None


@dataclass(frozen=True)
class PlannedKeyResult:
    id: int
    target: Decimal


@dataclass(frozen=True)
class PlannedMmp:
    id: int
    value_stream_id: int
    business_value: int


@dataclass(frozen=True)
class PlanSnapshot:
    """The parts of a plan; each is None when the stored snapshot did not hold it."""

    taken_at: dt.datetime | None
    allocations: dict[int, int] | None  # value stream id -> cents
    epics: dict[int, PlannedEpic] | None
    key_results: dict[int, PlannedKeyResult] | None
    planned_mmps: dict[int, PlannedMmp] | None = None

    @classmethod
    def from_json(cls, raw) -> "PlanSnapshot":
        plan = raw if isinstance(raw, dict) else {}
        return cls(
            taken_at=_datetime(plan.get("taken_at")),
            allocations=_rows(plan, "allocations", "value_stream_id", _allocation),
            epics=_rows(plan, "epics", "id", _epic),
            key_results=_rows(plan, "key_results", "id", _key_result),
            planned_mmps=_rows(plan, "planned_mmps", "mmp_id", _planned_mmp),
        )


def plan_snapshot_take(*, quarter: Quarter, taken_at: dt.datetime, planned_mmps: list[dict]) -> dict:
    """The plan as it stands now, as the JSON documented above (what `planning_event_close` keeps)."""
    allocations = [
        {"value_stream_id": row["value_stream_id"], "value_stream": row["slug"], "amount_cents": row["amount_cents"]}
        for row in allocations_of_quarter(quarter=quarter)
    ]
    ranked = Epic.objects.open().ranked().values("id", "key", "value_stream", "state", "wsjf")
    epics = [
        {
            "id": e["id"],
            "key": e["key"],
            "value_stream_id": e["value_stream"],
            "state": e["state"],
            "wsjf": e["wsjf"],
            "rank": rank,
        }
        for rank, e in enumerate(ranked, start=1)
    ]
    key_results = [
        {
            "id": k["id"],
            "objective_id": k["objective"],
            "value_stream_id": k["objective__value_stream"],
            "title": k["title"],
            "direction": k["direction"],
            "baseline": str(k["baseline"]),
            "target": str(k["target"]),
            "current": str(k["current"]),
            "weight": str(k["weight"]),
        }
        for k in key_results_as_planned(quarter=quarter)
    ]
    return {
        "version": VERSION,
        "quarter": quarter.code,
        "taken_at": taken_at.isoformat(),
        "allocations": allocations,
        "epics": epics,
        "key_results": key_results,
        "planned_mmps": planned_mmps,
    }


# --- reading stored JSON leniently: a malformed part falls back to history, not to an error ------


def _datetime(raw) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    value = parse_datetime(raw)
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _id(value) -> int | None:
    return int(value) if str(value).isdigit() else None


def _rows(plan: dict, part: str, id_key: str, parse):
    rows = plan.get(part)
    if not isinstance(rows, list):
        return None
    parsed = {}
    for row in rows:
        if not isinstance(row, dict) or _id(row.get(id_key)) is None:
            continue
        value = parse(row)
        if value is not None:
            parsed[_id(row[id_key])] = value
    return parsed


def _allocation(row: dict) -> int | None:
    amount = row.get("amount_cents")
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else None


def _epic(row: dict) -> PlannedEpic | None:
    rank = row.get("rank")
    return PlannedEpic(
        id=int(row["id"]),
        key=str(row.get("key", "")),
        value_stream_id=_id(row.get("value_stream_id")) or 0,
        state=row["state"] if isinstance(row.get("state"), str) else None,
        wsjf=row.get("wsjf") if isinstance(row.get("wsjf"), int | float) else None,
        rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
    )


def _key_result(row: dict) -> PlannedKeyResult | None:
    try:
        return PlannedKeyResult(id=int(row["id"]), target=Decimal(str(row["target"])))
    except (InvalidOperation, KeyError, TypeError, ValueError):
        return None


def _planned_mmp(row: dict) -> PlannedMmp | None:
    value_stream_id = _id(row.get("value_stream_id"))
    if value_stream_id is None:
        return None
    value = row.get("business_value")
    value = value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
    return PlannedMmp(id=int(row["mmp_id"]), value_stream_id=value_stream_id, business_value=value)
