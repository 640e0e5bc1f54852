"""What a value stream's delivery mode decides: the one home of the mode -> panels/metrics rule.

A VMO governs the three ways of delivering differently, so each reads its own figures:

- **project** (waterfall): delivery progress, money and OKRs, and a finish forecast; DORA is
  graded only when the stream *deploys* (see `deploys`): a project that ships no software to
  production is not "Low" on DORA, DORA does not apply to it.
- **agile**: sprints and predictability (velocity, say/do ratio, sprint burn-up) beside flow
  and DORA, and a finish forecast.
- **continuous** (DevOps product): flow and DORA, and change spend vs run (keep-the-lights-on)
  spend over time instead of a finish date: a product has no end.

Pages, the overview, the monthly report and the rollup's DORA grading read `mode_rules(mode)`
and `dora_graded(...)`; nothing else tests `delivery_mode` for a figure.
"""

from dataclasses import dataclass

from portfolio.models import DeliveryMode

# Panels of the value stream page, by name (the template tests membership).
DELIVERY = "delivery"  # epics and MMPs with delivery progress
FLOW = "flow"  # Flow Framework metrics and their trend
DORA = "dora"  # the four DORA metrics and the level
FORECAST = "forecast"  # Monte Carlo finish dates (P50/P85/P95)
SPRINTS = "sprints"  # velocity, say/do, sprint burn-up of the stream's teams
RUN_CHANGE = "run_change"  # change vs run spend per month (run-rate trend)

NOT_GRADED_NO_DEPLOYMENTS = "not graded: project mode, no deployments"


@dataclass(frozen=True)
class ModeRules:
    """What one delivery mode shows and grades."""

    mode: str
    label: str
    panels: frozenset[str]
    # DORA graded whatever happens (agile, continuous) or only when the stream deploys (project).
    dora_needs_deployments: bool


MODE_RULES: dict[str, ModeRules] = {
    DeliveryMode.PROJECT: ModeRules(
        mode=DeliveryMode.PROJECT,
        label=DeliveryMode.PROJECT.label,
        panels=frozenset({DELIVERY, FLOW, DORA, FORECAST}),
        dora_needs_deployments=True,
    ),
    DeliveryMode.AGILE: ModeRules(
        mode=DeliveryMode.AGILE,
        label=DeliveryMode.AGILE.label,
        panels=frozenset({DELIVERY, FLOW, DORA, FORECAST, SPRINTS}),
        dora_needs_deployments=False,
    ),
    DeliveryMode.CONTINUOUS: ModeRules(
        mode=DeliveryMode.CONTINUOUS,
        label=DeliveryMode.CONTINUOUS.label,
        panels=frozenset({DELIVERY, FLOW, DORA, RUN_CHANGE}),
        dora_needs_deployments=False,
    ),
}

# The order the overview and the monthly report group streams in.
MODE_ORDER = (DeliveryMode.PROJECT, DeliveryMode.AGILE, DeliveryMode.CONTINUOUS)


def mode_rules(mode: str) -> ModeRules:
    """The rules of a delivery mode (an unknown value reads as agile, the model's default)."""
    return MODE_RULES.get(mode, MODE_RULES[DeliveryMode.AGILE])


def deploys(*, deployments_in_window: int) -> bool:
    """The one definition of "the stream deploys": at least one production deployment in the
    metrics window (the quarter to date for snapshots)."""
    return deployments_in_window > 0


def dora_graded(*, mode: str, deployments_in_window: int) -> bool:
    """Whether a stream of this mode is graded on DORA in a window with that many production
    deployments: always, except a project-mode stream that does not deploy."""
    return not mode_rules(mode).dora_needs_deployments or deploys(deployments_in_window=deployments_in_window)


def dora_not_graded_reason(*, mode: str, deployments_in_window: int) -> str:
    """'' when graded; else the sentence shown instead of a grade."""
    if dora_graded(mode=mode, deployments_in_window=deployments_in_window):
        return ""
    return NOT_GRADED_NO_DEPLOYMENTS
