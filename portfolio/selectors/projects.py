"""Reads for project (waterfall) mode: a project's plan, phases, milestones and gates, the gate
rule the Kanban asks before implementing, and the geometry of the epic page's timeline."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from portfolio.models import (
    DeliveryMode,
    Epic,
    GateStatus,
    Milestone,
    ProjectPhase,
    ProjectPlan,
    StageGate,
    StageGateDecision,
)


def effective_delivery_mode(*, epic_id: int) -> str:
    return Epic.objects.with_delivery_mode().values_list("effective_delivery_mode", flat=True).get(id=epic_id)


def implementing_gate_unmet(*, epic: Epic) -> str | None:
    """Why a project-mode epic may not enter implementing yet, or None (approved, or not a
    project). The gate is `settings.PROJECT_IMPLEMENTING_GATE` (planning by default). Two
    queries at most."""
    if effective_delivery_mode(epic_id=epic.id) != DeliveryMode.PROJECT:
        return None
    key = settings.PROJECT_IMPLEMENTING_GATE
    gate = StageGate.objects.filter(epic_id=epic.id, key=key).values("name", "status").first()
    if gate is None:
        return f"A project-mode epic enters implementing once its {key} gate is approved; it has no {key} gate yet."
    if gate["status"] != GateStatus.APPROVED:
        return (
            f"A project-mode epic enters implementing once its {gate['name']} gate is approved "
            f"(it is {GateStatus(gate['status']).label.lower()}): a VMO director or the sponsor approves it."
        )
    return None


def stage_gates_of_epic(*, epic_id: int) -> QuerySet[StageGate]:
    """The epic's gates in order, each with its decisions (newest first) and who made them."""
    return StageGate.objects.filter(epic_id=epic_id).prefetch_related(
        Prefetch("decisions", queryset=StageGateDecision.objects.select_related("decided_by"))
    )


def phases_of_epic(*, epic_id: int) -> QuerySet[ProjectPhase]:
    return ProjectPhase.objects.filter(epic_id=epic_id)


def milestones_of_epic(*, epic_id: int) -> QuerySet[Milestone]:
    return Milestone.objects.filter(epic_id=epic_id)


def project_plan_of_epic(*, epic_id: int) -> ProjectPlan | None:
    return ProjectPlan.objects.filter(epic_id=epic_id).select_related("sponsor").first()


# --- the timeline (Gantt) of the epic page ------------------------------------------------------

TIMELINE_WIDTH = 640  # SVG user units of the date axis
LABEL_WIDTH = 160
ROW_HEIGHT = 28


@dataclass
class TimelineRow:
    label: str
    kind: str  # "phase" or "milestone"
    y: int
    baseline_x: float
    baseline_w: float
    forecast_x: float
    forecast_w: float
    late: bool
    done: bool = False
    title: str = ""


@dataclass
class Timeline:
    """Positions of the server-rendered SVG: one row per phase (two bars: baseline above,
    forecast below) and per milestone (two diamonds); months as ticks; today as a line."""

    rows: list[TimelineRow]
    ticks: list[tuple[float, str]]
    today_x: float | None
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    start: dt.date | None = None
    end: dt.date | None = None
    summary: list[str] = field(default_factory=list)


def project_timeline(*, phases, milestones, today: dt.date) -> Timeline | None:
    """Lay phases and milestones (already loaded) out on one date axis; None without any."""
    phases, milestones = list(phases), list(milestones)
    dates = [d for p in phases for d in (p.baseline_start, p.baseline_end, p.forecast_start, p.forecast_end)]
    dates += [d for m in milestones for d in (m.baseline_date, m.forecast_date)]
    if not dates:
        return None
    start, end = min(dates), max(dates)
    start = start.replace(day=1)
    end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    span = (end - start).days or 1

    def x(day: dt.date) -> float:
        return round(LABEL_WIDTH + (day - start).days * TIMELINE_WIDTH / span, 1)

    def w(first: dt.date, last: dt.date) -> float:
        return max(round(((last - first).days + 1) * TIMELINE_WIDTH / span, 1), 2.0)

    rows: list[TimelineRow] = []
    y = 24
    for phase in phases:
        late = phase.forecast_end > phase.baseline_end
        rows.append(
            TimelineRow(
                label=phase.name,
                kind="phase",
                y=y,
                baseline_x=x(phase.baseline_start),
                baseline_w=w(phase.baseline_start, phase.baseline_end),
                forecast_x=x(phase.forecast_start),
                forecast_w=w(phase.forecast_start, phase.forecast_end),
                late=late,
                title=(
                    f"{phase.name}: baseline {phase.baseline_start} to {phase.baseline_end}, "
                    f"forecast {phase.forecast_start} to {phase.forecast_end}"
                ),
            )
        )
        y += ROW_HEIGHT
    for milestone in milestones:
        late = milestone.forecast_date > milestone.baseline_date
        state = f"done {milestone.completed_on}" if milestone.completed_on else f"forecast {milestone.forecast_date}"
        rows.append(
            TimelineRow(
                label=milestone.name,
                kind="milestone",
                y=y,
                baseline_x=x(milestone.baseline_date),
                baseline_w=0,
                forecast_x=x(milestone.completed_on or milestone.forecast_date),
                forecast_w=0,
                late=late,
                done=milestone.completed_on is not None,
                title=f"{milestone.name}: baseline {milestone.baseline_date}, {state}",
            )
        )
        y += ROW_HEIGHT
    ticks = []
    month = start
    while month < end:
        ticks.append((x(month), month.strftime("%b %Y")))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    today_x = x(today) if start <= today <= end else None
    return Timeline(
        rows=rows,
        ticks=ticks,
        today_x=today_x,
        width=LABEL_WIDTH + TIMELINE_WIDTH + 8,
        height=y + 8,
        start=start,
        end=end,
    )
