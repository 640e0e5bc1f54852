"""Cost-of-delay-optimal funding as a 0/1 mixed-integer program, solved exactly by HiGHS
(`scipy.optimize.milp`), beside the plain WSJF-order greedy it is compared with.

Pure functions over a `Problem` (no database): the selector in `funding/selectors/optimise.py`
builds the problem from a scenario's quarter and the service stores the result. Money is integer
cents; guardrail bands are written with integer coefficients so the solver sees exact rows, and
`violations` checks a set exactly, in integers, for the explanations and the tests.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

BUDGET, CAPACITY, INVESTMENT, HORIZON, DEPENDENCY, PINNED = (
    "budget",
    "capacity",
    "investment guardrail",
    "horizon guardrail",
    "dependency",
    "pinned",
)
FAMILIES = (BUDGET, CAPACITY, INVESTMENT, HORIZON, DEPENDENCY, PINNED)
# Under the 5 s the issue asks for at 1,000 epics; past it HiGHS returns its best set so far
# ("time limit", with the gap to the proven bound).
TIME_LIMIT_SECONDS = 4.5


@dataclass(frozen=True)
class Candidate:
    """An epic the quarter may fund: `fixed` when already implementing (kept funded)."""

    id: int
    key: str
    value_stream_id: int
    cost: int  # cents
    value: int  # cost of delay: cents per week, or WSJF points
    investment_type: str = ""
    horizon: str = ""
    fixed: bool = False


@dataclass(frozen=True)
class Band:
    """Share of the funded cost a category may take: between lo_num/den and hi_num/den."""

    lo_num: int
    hi_num: int
    den: int


@dataclass
class Problem:
    candidates: list[Candidate]  # in WSJF rank order (fixed ones first)
    budget: int
    capacity: dict[int, int] = field(default_factory=dict)  # streams without an entry: no limit
    investment: dict[str, Band] = field(default_factory=dict)
    horizon: dict[str, Band] = field(default_factory=dict)
    requires: list[tuple[int, int]] = field(default_factory=list)  # (epic, the epic it depends on)
    blocked: dict[int, str] = field(default_factory=dict)  # epic -> key of an unfundable dependency
    pin_in: set[int] = field(default_factory=set)
    pin_out: set[int] = field(default_factory=set)


def bands(percents: dict[str, int], tolerance: int, present: set[str]) -> dict[str, Band]:
    """Guardrail percentages, renormalised over the categories that have candidate epics (a
    category with no epic, such as keep-the-lights-on run costs, is not funded through epics),
    widened by the tolerance (percentage points): integers over a common denominator."""
    shares = {k: p for k, p in percents.items() if k in present and p is not None}
    total = sum(shares.values())
    if not total:
        return {}
    den = 100 * total
    return {
        k: Band(lo_num=max(100 * p - tolerance * total, 0), hi_num=min(100 * p + tolerance * total, den), den=den)
        for k, p in shares.items()
    }


def _band_violated(problem: Problem, chosen: list[Candidate], attr: str, bands_: dict[str, Band]) -> list[str]:
    total = sum(c.cost for c in chosen if (attr == "investment_type" or c.horizon))
    out = []
    for name, band in bands_.items():
        part = sum(c.cost for c in chosen if getattr(c, attr) == name)
        if part * band.den < band.lo_num * total:
            out.append(f"{name} below {band.lo_num / band.den:.0%}")
        elif part * band.den > band.hi_num * total:
            out.append(f"{name} above {band.hi_num / band.den:.0%}")
    return out


def violations(problem: Problem, chosen_ids: set[int], *, keys: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """Every constraint the set breaks, as (family, detail); exact integer arithmetic."""
    by_id = {c.id: c for c in problem.candidates}
    chosen = [by_id[i] for i in chosen_ids]
    keys = keys or {c.id: c.key for c in problem.candidates}
    out = []
    spent = sum(c.cost for c in chosen)
    if spent > problem.budget:
        out.append((BUDGET, f"{spent} > {problem.budget}"))
    per_stream: dict[int, int] = {}
    for c in chosen:
        per_stream[c.value_stream_id] = per_stream.get(c.value_stream_id, 0) + c.cost
    for vs_id, cost in sorted(per_stream.items()):
        if vs_id in problem.capacity and cost > problem.capacity[vs_id]:
            out.append((CAPACITY, f"value stream {vs_id}"))
    out += [(INVESTMENT, d) for d in _band_violated(problem, chosen, "investment_type", problem.investment)]
    out += [(HORIZON, d) for d in _band_violated(problem, chosen, "horizon", problem.horizon)]
    for epic, needed in problem.requires:
        if epic in chosen_ids and needed not in chosen_ids:
            out.append((DEPENDENCY, f"{keys.get(epic)} needs {keys.get(needed)}"))
    for epic in chosen_ids & set(problem.blocked):
        out.append((DEPENDENCY, f"{keys.get(epic)} needs {problem.blocked[epic]}"))
    for c in problem.candidates:
        if (c.fixed or c.id in problem.pin_in) and c.id not in chosen_ids:
            out.append((PINNED, f"{c.key} must stay funded"))
    for epic in chosen_ids & problem.pin_out:
        out.append((PINNED, f"{keys.get(epic)} is pinned out"))
    return out


@dataclass(frozen=True)
class Solution:
    status: str  # "optimal", "time limit" (best found), "infeasible"
    chosen: frozenset[int]
    value: int
    gap: float = 0.0  # relative gap to the proven bound (0 when optimal)


def solve(
    problem: Problem, *, without: frozenset[str] = frozenset(), time_limit: float = TIME_LIMIT_SECONDS
) -> Solution:
    """The funded set of maximum total cost of delay that keeps every constraint (except the
    families in `without`, used to name the one that makes a problem infeasible)."""
    cands = problem.candidates
    n = len(cands)
    if n == 0:
        return Solution("optimal", frozenset(), 0)
    index = {c.id: j for j, c in enumerate(cands)}
    cost = np.array([c.cost for c in cands], dtype=float)
    lower, upper = np.zeros(n), np.ones(n)
    if PINNED not in without:
        for c in cands:
            if c.fixed or c.id in problem.pin_in:
                lower[index[c.id]] = 1
        for epic in problem.pin_out:
            if epic in index:
                upper[index[epic]] = 0
    if DEPENDENCY not in without:
        for epic in problem.blocked:
            if epic in index:
                upper[index[epic]] = 0
    if (lower > upper).any():
        return Solution("infeasible", frozenset(), 0)
    rows, lo, hi = [], [], []
    if BUDGET not in without:
        rows.append(cost)
        lo.append(-np.inf)
        hi.append(problem.budget)
    if CAPACITY not in without:
        for vs_id, cap in sorted(problem.capacity.items()):
            row = np.array([c.cost if c.value_stream_id == vs_id else 0 for c in cands], dtype=float)
            if row.any():
                rows.append(row)
                lo.append(-np.inf)
                hi.append(cap)
    for family, attr, bands_ in (
        (INVESTMENT, "investment_type", problem.investment),
        (HORIZON, "horizon", problem.horizon),
    ):
        if family in without:
            continue
        counted = np.array([1.0 if (attr == "investment_type" or c.horizon) else 0.0 for c in cands])
        for name, band in bands_.items():
            member = np.array([1.0 if getattr(c, attr) == name else 0.0 for c in cands])
            # den * part - lo * total >= 0 and den * part - hi * total <= 0, in integers.
            rows.append(cost * (band.den * member - band.lo_num * counted))
            lo.append(0)
            hi.append(np.inf)
            rows.append(cost * (band.den * member - band.hi_num * counted))
            lo.append(-np.inf)
            hi.append(0)
    if DEPENDENCY not in without:
        for epic, needed in problem.requires:
            if epic in index and needed in index:
                row = np.zeros(n)
                row[index[epic]], row[index[needed]] = 1, -1
                rows.append(row)
                lo.append(-np.inf)
                hi.append(0)
    constraints = []
    if rows:
        # Rows scaled to a largest coefficient of 1 (cents times guardrail denominators reach
        # 1e13, which slows HiGHS); dividing a row and its bounds by a positive number keeps it.
        matrix = np.vstack(rows)
        scale = np.abs(matrix).max(axis=1)
        scale[scale == 0] = 1
        constraints = [LinearConstraint(matrix / scale[:, None], np.array(lo) / scale, np.array(hi) / scale)]
    values = np.array([c.value for c in cands], dtype=float)
    result = milp(
        c=-values,
        integrality=np.ones(n),
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={"mip_rel_gap": 0, "time_limit": time_limit, "presolve": True},
    )
    if result.x is None:
        return Solution("infeasible" if result.status == 2 else "time limit", frozenset(), 0)
    chosen = frozenset(c.id for c, x in zip(cands, result.x, strict=True) if x > 0.5)
    status = "optimal" if result.status == 0 else "time limit"
    gap = 0.0 if result.status == 0 else float(getattr(result, "mip_gap", 0.0) or 0.0)
    return Solution(status, chosen, sum(c.value for c in cands if c.id in chosen), gap)


def binding_family(problem: Problem) -> list[str]:
    """Which constraint family makes the problem infeasible: the first whose removal makes it
    feasible; all of them when no single one does (they conflict together)."""
    named = [family for family in FAMILIES if solve(problem, without=frozenset({family})).status != "infeasible"]
    return named[:1] or list(FAMILIES)


@dataclass(frozen=True)
class Greedy:
    chosen: frozenset[int]
    value: int
    skipped: dict[int, str]  # epic -> why WSJF order passed it over
    broken: list[tuple[str, str]]  # constraints its set breaks (guardrails are not checked greedily)


def greedy(problem: Problem) -> Greedy:
    """Plain WSJF order: keep the fixed and pinned-in epics, then fund each next epic in rank
    order while it fits the money left, its stream's capacity and its dependencies."""
    chosen: set[int] = set()
    spent, per_stream, skipped = 0, {}, {}
    keys = {c.id: c.key for c in problem.candidates}
    needs: dict[int, list[int]] = {}
    for epic, needed in problem.requires:
        needs.setdefault(epic, []).append(needed)
    ordered = [c for c in problem.candidates if c.fixed or c.id in problem.pin_in]
    ordered += [c for c in problem.candidates if not (c.fixed or c.id in problem.pin_in)]
    for c in ordered:
        forced = c.fixed or c.id in problem.pin_in
        reason = None
        if not forced:
            if c.id in problem.pin_out:
                reason = PINNED
            elif c.id in problem.blocked:
                reason = f"{DEPENDENCY} on {problem.blocked[c.id]}"
            elif any(d not in chosen for d in needs.get(c.id, [])):
                reason = f"{DEPENDENCY} on " + ", ".join(keys[d] for d in needs[c.id] if d not in chosen)
            elif spent + c.cost > problem.budget:
                reason = BUDGET
            elif (
                c.value_stream_id in problem.capacity
                and per_stream.get(c.value_stream_id, 0) + c.cost > problem.capacity[c.value_stream_id]
            ):
                reason = CAPACITY
        if reason:
            skipped[c.id] = reason
            continue
        chosen.add(c.id)
        spent += c.cost
        per_stream[c.value_stream_id] = per_stream.get(c.value_stream_id, 0) + c.cost
    value = sum(c.value for c in problem.candidates if c.id in chosen)
    return Greedy(frozenset(chosen), value, skipped, violations(problem, chosen))


def brute_force(problem: Problem) -> int | None:
    """The optimum by enumeration, for tests on small instances: None when nothing is feasible."""
    best = None
    cands = problem.candidates
    for mask in range(1 << len(cands)):
        chosen = {c.id for j, c in enumerate(cands) if mask >> j & 1}
        if not violations(problem, chosen):
            value = sum(c.value for c in cands if c.id in chosen)
            best = value if best is None else max(best, value)
    return best
