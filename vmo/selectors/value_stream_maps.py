"""The value stream map page: the stream's current- and future-state maps side by side, the
improvement targets between them, the ladder drawing's geometry and the improvement items."""

import datetime as dt
from dataclasses import dataclass

from portfolio.metrics import BY_KEY
from portfolio.models import MapState, ValueStream
from portfolio.selectors.maps import MapFigures, map_figures, map_list
from vmo.selectors.backlog import improvement_items

LADDER_WIDTH = 760  # SVG user units for the longest of the two maps' lead times


@dataclass(frozen=True)
class Rung:
    """One stage drawn on the timeline ladder: wait on the upper line, then process below."""

    name: str
    x: float
    wait_width: float
    process_width: float
    bottleneck: bool

    @property
    def process_x(self) -> float:
        return self.x + self.wait_width

    @property
    def label_x(self) -> float:
        return self.x + 2


@dataclass(frozen=True)
class Target:
    name: str
    current: float | None
    future: float | None
    unit: str

    @property
    def change(self) -> float | None:
        if self.current is None or self.future is None:
            return None
        # Rounded so a float remainder never floors a whole percentage point away (0.6 - 0.3).
        return round(self.future - self.current, 6)


def _ladder(figures: MapFigures | None, scale: float) -> list[Rung]:
    if figures is None:
        return []
    rungs, x = [], 0.0
    for stage in figures.stages:
        if stage.lead_hours is None:
            continue
        rung = Rung(
            name=stage.stage.name,
            x=round(x, 1),
            wait_width=round(stage.wait_hours * scale, 1),
            process_width=round(stage.process_hours * scale, 1),
            bottleneck=stage.bottleneck,
        )
        rungs.append(rung)
        x += stage.lead_hours * scale
    return rungs


def map_page(*, value_stream: ValueStream, now: dt.datetime | None = None) -> dict:
    """Both maps' figures, ladders on one scale, the targets and the improvement items.
    Four queries whatever the number of stages or items (maps, stages, history, items)."""
    maps = {vsm.state: vsm for vsm in map_list(value_stream_id=value_stream.pk)}
    figures = {state: map_figures(vsm=vsm, now=now) for state, vsm in maps.items()}
    current, future = figures.get(MapState.CURRENT), figures.get(MapState.FUTURE)
    longest = max((f.lead_hours or 0 for f in figures.values()), default=0)
    scale = LADDER_WIDTH / longest if longest else 0
    targets = []
    if current is not None and future is not None:
        targets = [
            Target("Total lead time", current.lead_hours, future.lead_hours, "hours"),
            Target("Process time", current.process_hours, future.process_hours, "hours"),
            Target("Flow efficiency", current.flow_efficiency, future.flow_efficiency, "ratio"),
            Target("Rolled %C&A", current.rolled_complete_accurate, future.rolled_complete_accurate, "ratio"),
        ]
    return {
        "current": current,
        "future": future,
        "current_ladder": _ladder(current, scale),
        "future_ladder": _ladder(future, scale),
        "targets": targets,
        "improvements": list(improvement_items(value_stream_id=value_stream.pk)),
        "definitions": [BY_KEY[key] for key in ("vsm_stage_times", "vsm_totals", "vsm_waste")],
        "stages": [stage.stage for f in figures.values() for stage in f.stages],
    }
