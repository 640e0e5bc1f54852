"""Demo data for funding: budgets for last, current and next quarter, allocations, guardrails,
teams, 18 months of spend, epic estimates and a scenario.

Idempotent: run twice, the same data. Writes go through the services (so the history on the
funding page shows who did what), except spend which is bulk-written once per value stream.
Epics come from another seeder that may run before or after this one, so they are looked up.
"""

import datetime as dt
import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from funding import services
from funding.models import BudgetStatus, EpicEstimate, Guardrail, QuarterBudget, Scenario, Spend, SpendCategory, Team
from portfolio.models import Epic

M = 100_000_000  # one million in cents
K = 100_000  # one thousand in cents

# slug: (current-quarter allocation in cents, teams [(name, cost per sprint in cents, headcount)])
DEMO_FUNDING = {
    "payments": (6_500_000_00, [("Rails", 140 * K, 9), ("Ledger", 120 * K, 8)]),
    "onboarding": (4_000_000_00, [("Welcome", 110 * K, 7), ("KYC", 100 * K, 6)]),
    "lending": (6_000_000_00, [("Origination", 130 * K, 9), ("Decisioning", 125 * K, 8)]),
    "mobile": (5_000_000_00, [("iOS", 115 * K, 7), ("Android", 115 * K, 7)]),
    "data": (3_000_000_00, [("Platform", 105 * K, 6)]),
    "core-ops": (3_000_000_00, [("Batch", 90 * K, 6)]),
    "hr": (1_000_000_00, [("People Systems", 60 * K, 4)]),
    "finance": (1_000_000_00, [("Controlling", 60 * K, 4)]),
}


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    months, day = [], today.replace(day=1)
    for _ in range(count):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return sorted(months)


@transaction.atomic
def seed(ctx) -> None:
    director = ctx.users["director"]
    streams = {vs.slug: vs for vs in ctx.value_streams}
    rng = random.Random(4)

    # Teams first: scenarios and estimates use their capacity.
    for slug, (_amount, teams) in DEMO_FUNDING.items():
        vs = streams.get(slug)
        if vs is None:
            continue
        for name, cost, headcount in teams:
            if not Team.objects.filter(value_stream=vs, name=name).exists():
                services.team_create(
                    user=director, value_stream=vs, name=name, cost_per_sprint_cents=cost, headcount=headcount
                )

    # Budgets: last quarter closed, current approved (with 500,000 headroom), next a draft.
    plans = (
        ("last", 30 * M, 1, BudgetStatus.CLOSED),
        ("current", 30 * M, 1, BudgetStatus.APPROVED),
        ("next", 31 * M, 1, BudgetStatus.DRAFT),
    )
    for key, total, _factor, status in plans:
        quarter = ctx.quarters[key]
        budget = QuarterBudget.objects.filter(quarter=quarter).first()
        if budget is None:
            budget = services.budget_create(user=director, quarter=quarter, total_cents=total)
        if budget.status == BudgetStatus.DRAFT:
            for slug, (amount, _teams) in DEMO_FUNDING.items():
                if slug in streams:
                    if key == "last":
                        amount = amount - 100 * K if slug == "mobile" else amount
                    if key == "next" and slug == "data":
                        amount += 500 * K
                    services.allocation_set(
                        user=director, budget=budget, value_stream=streams[slug], amount_cents=amount
                    )
            if not Guardrail.objects.filter(budget=budget).exists():
                services.guardrail_set(
                    user=director,
                    budget=budget,
                    business_features_pct=55,
                    enablers_pct=20,
                    tech_debt_pct=15,
                    ktlo_pct=10,
                    horizon_h0_pct=5,
                    horizon_h1_pct=60,
                    horizon_h2_pct=25,
                    horizon_h3_pct=10,
                    approval_threshold_cents=1 * M,
                    drift_tolerance_pct=5,
                )
            if status in (BudgetStatus.APPROVED, BudgetStatus.CLOSED):
                budget = services.budget_approve(user=director, budget=budget)
            if status == BudgetStatus.CLOSED:
                services.budget_close(user=director, budget=budget)

    # A what-if for the current quarter: move 500,000 from Mobile to Lending.
    current = QuarterBudget.objects.get(quarter=ctx.quarters["current"])
    if not Scenario.objects.filter(budget=current, name="Lending push").exists():
        scenario = services.scenario_create(
            user=director, budget=current, name="Lending push", note="Fund the SME loan MVP earlier."
        )
        for slug, delta in (("mobile", -500 * K), ("lending", 500 * K)):
            if slug in streams:
                services.scenario_line_set(
                    user=director,
                    scenario=scenario,
                    value_stream=streams[slug],
                    amount_cents=DEMO_FUNDING[slug][0] + delta,
                )

    # 18 months of spend per stream, written once: labour about the allocation's monthly share,
    # licences and infrastructure a little on top.
    months = _months_back(ctx.today, 18)
    for slug, (amount, _teams) in DEMO_FUNDING.items():
        vs = streams.get(slug)
        if vs is None or Spend.objects.filter(value_stream=vs, source="demo").exists():
            continue
        monthly = amount // 3
        rows = []
        for month in months:
            labour = monthly * rng.randint(78, 100) // 100
            rows.append(Spend(value_stream=vs, month=month, amount_cents=labour, category=SpendCategory.LABOUR))
            rows.append(
                Spend(
                    value_stream=vs, month=month, amount_cents=monthly * rng.randint(3, 8) // 100, category="licences"
                )
            )
            rows.append(
                Spend(
                    value_stream=vs,
                    month=month,
                    amount_cents=monthly * rng.randint(2, 6) // 100,
                    category=SpendCategory.INFRASTRUCTURE,
                )
            )
        for row in rows:
            row.source, row.created_by = "demo", director
        bulk_create_with_history(rows, Spend, default_user=director, default_change_reason="demo data")

    # Estimates for the epics another seeder created (if any): in sprints of the stream's first
    # team where the epic has no money figure, else the money figure as entered.
    first_team = {}
    for team in Team.objects.filter(active=True).order_by("value_stream_id", "-cost_per_sprint_cents", "id"):
        first_team.setdefault(team.value_stream_id, team)
    done = set(EpicEstimate.objects.values_list("epic_id", flat=True))
    for epic in Epic.objects.exclude(pk__in=done).order_by("id"):
        if epic.estimated_cost_cents is not None:
            services.epic_estimate_set(user=director, epic=epic, amount_cents=epic.estimated_cost_cents)
        elif epic.value_stream_id in first_team and epic.state not in ("funnel", "reviewing"):
            services.epic_estimate_set(
                user=director, epic=epic, team=first_team[epic.value_stream_id], sprints=rng.randint(2, 8)
            )
