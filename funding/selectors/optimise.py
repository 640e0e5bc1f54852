"""Reads for the optimiser: the problem a scenario's quarter poses, the optimum beside plain
WSJF order, why they differ, the shadow price of budget, and a suggested order of work.

Constant queries: candidates (one ranked query), dependencies, team capacity, the guardrail,
the cached forecasts; the solve itself is `funding/optimiser.py`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.models import Allocation, Guardrail, Scenario
from funding.optimiser import (
    BUDGET,
    Candidate,
    Problem,
    bands,
    binding_family,
    greedy,
    solve,
    violations,
)
from funding.selectors.guardrails import MIX_FIELDS
from funding.selectors.teams import team_capacity_subquery
from portfolio.models import Dependency, Epic, EpicState, InvestmentHorizon, ValueStream
from portfolio.money import format_amount
from portfolio.selectors.base import quarter_current
from portfolio.selectors.forecasts import epic_forecast_items

SHADOW_STEP_CENTS = 100_000 * 100  # "one more 100,000 of budget"
CHOOSABLE = (EpicState.ANALYZING, EpicState.BACKLOG)
HORIZON_FIELDS = (
    (InvestmentHorizon.H0, "horizon_h0_pct"),
    (InvestmentHorizon.H1, "horizon_h1_pct"),
    (InvestmentHorizon.H2, "horizon_h2_pct"),
    (InvestmentHorizon.H3, "horizon_h3_pct"),
)


@dataclass(frozen=True)
class OptimiseInput:
    """What a director may set: the budget (default: the quarter's budget total), epics pinned
    in or out, and whether team capacity and the guardrails apply (they do by default)."""

    budget_cents: int | None = None
    pin_in: frozenset[int] = frozenset()
    pin_out: frozenset[int] = frozenset()
    use_capacity: bool = True
    use_guardrails: bool = True


@dataclass
class Setup:
    problem: Problem
    basis: str  # "money per week" or "WSJF cost-of-delay points"
    epics: dict[int, Epic]
    streams: dict[int, ValueStream]
    start: dt.date
    skipped: list[str] = field(default_factory=list)  # epics left out, with why


def optimise_problem(*, scenario: Scenario, options: OptimiseInput) -> Setup:
    """The candidates of the scenario's quarter and every constraint, from the database."""
    budget = scenario.budget
    quarter = budget.quarter
    epics = list(
        Epic.objects.funded_in(quarter, current=quarter_current())
        .filter(state__in=[*CHOOSABLE, EpicState.IMPLEMENTING])
        .select_related("value_stream")
        .ranked()
    )
    # Implementing first (kept funded), then WSJF rank: the order plain WSJF funds in.
    epics.sort(key=lambda e: e.state != EpicState.IMPLEMENTING)
    by_id = {e.id: e for e in epics}
    unknown = (options.pin_in | options.pin_out) - set(by_id)
    if unknown:
        raise ValidationError({"pin_in": f"Epics {sorted(unknown)} are not candidates of {quarter.code}."})
    if options.pin_in & options.pin_out:
        raise ValidationError({"pin_out": "An epic cannot be pinned both in and out."})
    skipped = [f"{e.key}: no cost estimate" for e in epics if e.estimated_cost_cents is None]
    usable = [e for e in epics if e.estimated_cost_cents is not None]
    choosable = [e for e in usable if e.state != EpicState.IMPLEMENTING]
    money = bool(choosable) and all(e.cost_of_delay_per_week_cents is not None for e in choosable)
    basis = "money per week" if money else "WSJF cost-of-delay points"

    def value(e: Epic) -> int:
        if money:
            return e.cost_of_delay_per_week_cents or 0
        return e.cost_of_delay or 0

    candidates = [
        Candidate(
            id=e.id,
            key=e.key,
            value_stream_id=e.value_stream_id,
            cost=e.estimated_cost_cents,
            value=value(e),
            investment_type=e.investment_type,
            horizon=e.horizon,
            fixed=e.state == EpicState.IMPLEMENTING,
        )
        for e in usable
    ]
    ids = {c.id for c in candidates}
    requires, blocked = [], {}
    deps = Dependency.objects.filter(epic_id__in=ids, resolved=False).exclude(depends_on__state=EpicState.DONE)
    for epic_id, needed_id, needed_key in deps.values_list("epic_id", "depends_on_id", "depends_on__key"):
        if needed_id in ids:
            requires.append((epic_id, needed_id))
        else:
            blocked[epic_id] = needed_key
    capacity = {}
    stream_ids = {c.value_stream_id for c in candidates}
    streams = {
        vs.id: vs
        for vs in ValueStream.objects.filter(pk__in=stream_ids).annotate(capacity_cents=team_capacity_subquery(quarter))
    }
    if options.use_capacity:
        # A stream without teams has no known capacity: no limit rather than none at all.
        capacity = {vs_id: vs.capacity_cents for vs_id, vs in streams.items() if vs.capacity_cents}
    investment, horizon = {}, {}
    guardrail = Guardrail.objects.filter(budget=budget).first()
    if guardrail is not None and options.use_guardrails:
        tolerance = guardrail.drift_tolerance_pct
        investment = bands(
            {k: getattr(guardrail, f) for k, f in MIX_FIELDS}, tolerance, {c.investment_type for c in candidates}
        )
        horizon = bands(
            {k: getattr(guardrail, f) for k, f in HORIZON_FIELDS},
            tolerance,
            {c.horizon for c in candidates if c.horizon},
        )
    # Streams without a candidate epic keep their allocation (a scenario line only for streams
    # with candidates; committing leaves the others as they are), so by default the money to
    # fund epics with is the budget less what those streams hold.
    kept = (
        Allocation.objects.filter(budget=budget)
        .exclude(value_stream_id__in=stream_ids)
        .aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    )
    problem = Problem(
        candidates=candidates,
        budget=max(budget.total_cents - kept, 0) if options.budget_cents is None else options.budget_cents,
        capacity=capacity,
        investment=investment,
        horizon=horizon,
        requires=requires,
        blocked=blocked,
        pin_in=set(options.pin_in),
        pin_out=set(options.pin_out),
    )
    start = max(timezone.localdate(), quarter.start)
    return Setup(problem, basis, by_id, streams, start, skipped)


class Infeasible(ValidationError):
    """No funded set keeps every constraint; the message names the constraint."""


def _why_not(problem: Problem, chosen: frozenset[int], epic_id: int) -> str:
    broken = violations(problem, set(chosen) | {epic_id})
    return "; ".join(sorted({family for family, _ in broken})) or "lower cost of delay than the alternative"


def _sequence(setup: Setup, chosen: frozenset[int], start: dt.date) -> dict[int, list[dict]]:
    """Per value stream, the funded epics in weighted-shortest-job-first order (cost of delay /
    duration, highest first), which minimises the total cost of delay for one team working one
    epic at a time (Smith's rule); durations are the Monte Carlo P50 of each epic's own remaining
    work, else its estimated duration, else its job size in weeks."""
    forecasts = epic_forecast_items(epic_ids=chosen)
    by_stream: dict[int, list] = {}
    for c in setup.problem.candidates:
        if c.id not in chosen:
            continue
        epic = setup.epics[c.id]
        item = forecasts.get(c.id)
        if item is not None and item.solo_p50_weeks:
            weeks, source = item.solo_p50_weeks, "forecast P50"
        elif epic.estimated_duration_weeks:
            weeks, source = epic.estimated_duration_weeks, "estimated duration"
        else:
            weeks, source = epic.job_size or 1, "job size"
        by_stream.setdefault(c.value_stream_id, []).append((c, weeks, source))
    plan = {}
    for vs_id, rows in by_stream.items():
        rows.sort(key=lambda r: (-r[0].value / r[1], r[0].key))
        at, order = 0, []
        for c, weeks, source in rows:
            order.append(
                {
                    "epic": c.id,
                    "key": c.key,
                    "weeks": weeks,
                    "duration_from": source,
                    "start": (start + dt.timedelta(weeks=at)).isoformat(),
                    "finish": (start + dt.timedelta(weeks=at + weeks)).isoformat(),
                }
            )
            at += weeks
        plan[vs_id] = order
    return plan


def optimise_result(*, setup: Setup) -> dict:
    """Solve, compare with plain WSJF order and explain: a JSON-ready dict. Raises `Infeasible`
    naming the constraint when no funded set keeps them all."""
    problem = setup.problem
    best = solve(problem)
    if best.status == "infeasible":
        families = binding_family(problem)
        forced = sum(c.cost for c in problem.candidates if c.fixed or c.id in problem.pin_in)
        detail = ""
        if families == [BUDGET]:
            detail = (
                f" The implementing and pinned-in epics cost {format_amount(forced)}, "
                f"the budget is {format_amount(problem.budget)}."
            )
        raise Infeasible({"constraints": f"No funded set keeps the {' and '.join(families)} constraint.{detail}"})
    plain = greedy(problem)
    more = solve(
        Problem(**{**problem.__dict__, "budget": problem.budget + SHADOW_STEP_CENTS}),
    )
    keys = {c.id: c.key for c in problem.candidates}
    cost = {c.id: c.cost for c in problem.candidates}
    differ = []
    for epic_id in sorted(best.chosen - plain.chosen, key=keys.get):
        differ.append(
            {"epic": epic_id, "key": keys[epic_id], "funded_by": "optimum", "why": plain.skipped.get(epic_id, "")}
        )
    for epic_id in sorted(plain.chosen - best.chosen, key=keys.get):
        differ.append(
            {"epic": epic_id, "key": keys[epic_id], "funded_by": "wsjf", "why": _why_not(problem, best.chosen, epic_id)}
        )
    sequence = _sequence(setup, best.chosen, setup.start)
    streams = []
    for vs_id in sorted(setup.streams, key=lambda i: setup.streams[i].name):
        funded = [c for c in problem.candidates if c.value_stream_id == vs_id and c.id in best.chosen]
        wsjf = [c for c in problem.candidates if c.value_stream_id == vs_id and c.id in plain.chosen]
        streams.append(
            {
                "value_stream": vs_id,
                "name": setup.streams[vs_id].name,
                "amount_cents": sum(c.cost for c in funded),
                "wsjf_amount_cents": sum(c.cost for c in wsjf),
                "capacity_cents": setup.streams[vs_id].capacity_cents,
                "epics": [c.key for c in funded],
                "wsjf_epics": [c.key for c in wsjf],
                "sequence": sequence.get(vs_id, []),
            }
        )
    return {
        "status": best.status,
        "gap": best.gap,
        "basis": setup.basis,
        "budget_cents": problem.budget,
        "optimum_value": best.value,
        "optimum_cost_cents": sum(cost[i] for i in best.chosen),
        "wsjf_value": plain.value,
        "wsjf_cost_cents": sum(cost[i] for i in plain.chosen),
        "wsjf_breaks": [f"{family}: {detail}" for family, detail in plain.broken],
        "differences": differ,
        "shadow_price": {
            "step_cents": SHADOW_STEP_CENTS,
            "value": (more.value - best.value) if more.status != "infeasible" else 0,
            "next_epics": [keys[i] for i in sorted(more.chosen - best.chosen, key=keys.get)],
        },
        "value_streams": streams,
        "skipped": setup.skipped,
        "sequencing_rule": "Weighted shortest job first (cost of delay / duration) minimises total cost of delay "
        "for one team working one epic at a time (Smith's rule); several teams make it a heuristic.",
    }


def optimise_input_from_keys(*, budget_cents: int | None, pin_in: list[str], pin_out: list[str]) -> OptimiseInput:
    """The page names epics by key; the optimiser takes ids. Unknown keys are a clear error."""
    keys = set(pin_in) | set(pin_out)
    ids = dict(Epic.objects.filter(key__in=keys).values_list("key", "id"))
    unknown = sorted(keys - set(ids))
    if unknown:
        raise ValidationError({"pin_in": f"No epic {', '.join(unknown)}."})
    return OptimiseInput(
        budget_cents=budget_cents,
        pin_in=frozenset(ids[k] for k in pin_in),
        pin_out=frozenset(ids[k] for k in pin_out),
    )
