"""Demo of project (waterfall) mode: every project-mode epic from the portfolio backlog on gets
the configured stage gates (implementing epics passed planning, done ones passed every gate,
backlog ones wait at planning), and Core Banking Operations gets two baselined projects in planning
with phases and milestones: one on track and one late (SPI < 1).

In funding because the baselines are sized from the epics' actual cost (the cost rule), so the
demo's CPI is sensible. Set-based and idempotent: existing gates, decisions and plans are kept.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from funding.selectors.actuals import epic_actuals
from portfolio.models import (
    DeliveryMode,
    Epic,
    EpicState,
    GateStatus,
    Milestone,
    ProjectPhase,
    ProjectPlan,
    StageGate,
    StageGateDecision,
)

SHOWCASE_STREAM = "core-ops"

# Per project: phases (name, baseline start/end, forecast start/end as days from today) and
# milestones (name, weight, baseline day, forecast day, done day or None). BAC is sized so that
# CPI lands at cpi_pct / 100 of the actual cost to date (see _budget). Both projects are in the
# portfolio backlog, planning: the demo's Core Banking epics are none of them implementing, and
# a project enters implementing only once its planning gate is approved.
ON_TRACK = {  # planning on schedule: PV = EV = 2 of 8 weights, SPI 1
    "cpi_pct": 102,
    "earned_share": (2, 8),
    "phases": [
        ("Initiation", -60, -40, -60, -40),
        ("Planning", -39, 10, -39, 10),
        ("Build", 11, 120, 11, 120),
        ("Test and go-live", 121, 170, 121, 170),
    ],
    "milestones": [
        ("Charter signed", 1, -40, -41, -41),
        ("Requirements agreed", 1, -10, -9, -9),
        ("Plan baselined", 1, 10, 10, None),
        ("Build complete", 3, 120, 120, None),
        ("Go live", 2, 170, 170, None),
    ],
}
LATE = {  # planning overran: PV 3 of 8, EV 1 of 8, SPI 0.33; go-live 50 days late
    "cpi_pct": 95,
    "earned_share": (1, 8),
    "phases": [
        ("Initiation", -90, -70, -90, -60),
        ("Planning", -69, -20, -59, 25),
        ("Build", -19, 90, 26, 140),
        ("Test and go-live", 91, 140, 141, 190),
    ],
    "milestones": [
        ("Charter signed", 1, -70, -60, -60),
        ("Requirements agreed", 1, -45, 5, None),
        ("Plan baselined", 1, -20, 25, None),
        ("Build complete", 3, 90, 140, None),
        ("Go live", 2, 140, 190, None),
    ],
}

# Which gates an epic has passed, by its column (positions in PROJECT_STAGE_GATES).
PASSED_GATES = {EpicState.BACKLOG: 1, EpicState.IMPLEMENTING: 2, EpicState.DONE: 4}


@transaction.atomic
def seed_projects(ctx) -> None:
    director = ctx.users["director"]
    epics = list(
        Epic.objects.in_delivery_mode(DeliveryMode.PROJECT)
        .filter(value_stream__in=ctx.value_streams, state__in=list(PASSED_GATES))
        .select_related("value_stream")
        .order_by("key")
    )
    _seed_gates(epics, director)
    showcase = [
        e
        for e in epics
        if e.value_stream.slug == SHOWCASE_STREAM and e.state in (EpicState.BACKLOG, EpicState.IMPLEMENTING)
    ]
    for epic, shape in zip(showcase, (ON_TRACK, LATE), strict=False):
        _seed_project(ctx, epic, shape)


def _seed_gates(epics, director) -> None:
    gates = settings.PROJECT_STAGE_GATES
    have = set(StageGate.objects.filter(epic__in=epics).values_list("epic_id", "key"))
    StageGate.objects.bulk_create(
        StageGate(
            epic=epic,
            key=key,
            name=name,
            position=position,
            status=GateStatus.APPROVED if position < PASSED_GATES[epic.state] else GateStatus.PENDING,
        )
        for epic in epics
        for position, (key, name) in enumerate(gates)
        if (epic.id, key) not in have
    )
    undecided = StageGate.objects.filter(
        epic__in=epics, status=GateStatus.APPROVED, decisions__isnull=True
    ).select_related("epic")
    StageGateDecision.objects.bulk_create(
        StageGateDecision(
            gate=gate,
            decision="approved",
            note=f"{gate.name} criteria met; go to the next stage.",
            decided_by=director,
            # before the epic reached its column: a week per gate still to come
            decided_at=gate.epic.state_changed_at - dt.timedelta(days=7 * (len(gates) - gate.position)),
        )
        for gate in undecided
    )


def _budget(epic: Epic, shape: dict) -> int:
    """A BAC that makes CPI = cpi_pct / 100 today: EV = BAC x earned share, so BAC = AC x
    cpi x total / earned. Without an actual cost yet, the estimate (CPI is then no data)."""
    actual = epic_actuals(epic_id=epic.id).actual_cents
    if not actual:
        return epic.estimated_cost_cents or 1_000_000_00
    earned, total = shape["earned_share"]
    return actual * shape["cpi_pct"] * total // (100 * earned)


def _seed_project(ctx, epic: Epic, shape: dict) -> None:
    if ProjectPlan.objects.filter(epic=epic).exists():
        return
    day = lambda offset: ctx.today + dt.timedelta(days=offset)  # noqa: E731
    ProjectPlan.objects.create(epic=epic, sponsor=ctx.users["executive"], baseline_budget_cents=_budget(epic, shape))
    ProjectPhase.objects.bulk_create(
        ProjectPhase(
            epic=epic,
            name=name,
            position=n,
            baseline_start=day(b0),
            baseline_end=day(b1),
            forecast_start=day(f0),
            forecast_end=day(f1),
        )
        for n, (name, b0, b1, f0, f1) in enumerate(shape["phases"])
    )
    Milestone.objects.bulk_create(
        Milestone(
            epic=epic,
            name=name,
            weight=weight,
            baseline_date=day(baseline),
            forecast_date=day(forecast),
            completed_on=day(done) if done is not None else None,
        )
        for name, weight, baseline, forecast, done in shape["milestones"]
    )
