"""Demo data for funding: budgets for last, current and next quarter, allocations, guardrails,
teams, 18 closed months of spend, epic estimates, a scenario, and last quarter's closed participatory
budgeting session with its outcome scenario.

Idempotent: run twice, the same data. Writes go through the services (so the history on the
funding page shows who did what), except spend which is bulk-written once per value stream.
Epics come from another seeder that may run before or after this one, so they are looked up.
"""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from funding import services
from funding.models import (
    Allocation,
    BudgetStatus,
    EpicEstimate,
    Guardrail,
    PBPledgeEvent,
    PBSession,
    QuarterBudget,
    Scenario,
    Spend,
    SpendCategory,
    Team,
    TeamSprint,
)
from portfolio.models import Epic, WorkItem

M = 100_000_000  # one million in cents
K = 100_000  # one thousand in cents

# slug: (current-quarter allocation in cents, teams [(name, cost per sprint in cents, headcount)]).
# A stream's teams cost about 11 % of its allocation per two-week sprint: 6.5 sprints a quarter
# is about 75 % of it in labour (labour is most of a software budget), licences and infrastructure
# about 10 % more, so the quarter forecast lands a little under the allocation even in a month
# where three sprints end (the labour spend below is booked from the teams' sprints). The funding
# page's team capacity counts whole sprints only (six), about two thirds of the allocation.
DEMO_FUNDING = {
    "payments": (6_500_000_00, [("Rails", 390 * K, 9), ("Ledger", 345 * K, 8)]),
    "onboarding": (4_000_000_00, [("Welcome", 245 * K, 7), ("KYC", 210 * K, 6)]),
    "lending": (6_000_000_00, [("Origination", 355 * K, 9), ("Decisioning", 325 * K, 8)]),
    "mobile": (5_000_000_00, [("iOS", 285 * K, 7), ("Android", 285 * K, 7)]),
    "data": (3_000_000_00, [("Platform", 340 * K, 6)]),
    "core-ops": (3_000_000_00, [("Batch", 340 * K, 6)]),
    "hr": (1_000_000_00, [("People Systems", 115 * K, 4)]),
    "finance": (1_000_000_00, [("Controlling", 115 * K, 4)]),
}
# The two months whose labour strays from the team cost, so the reconciliation has something to
# flag: (slug, months before the current one, factor in percent). Payments' overtime last month is
# the one stream whose forecast runs over its allocation (by about a tenth) in a quarter's last
# month, a real story.
LABOUR_DEVIATIONS = (("payments", 1, 130), ("lending", 4, 55))
SPEND_MONTHS = 18


def sprint_calendar(*, start: dt.date, until: dt.date, length_days: int) -> list[tuple[dt.date, dt.date]]:
    """Back-to-back sprints of `length_days` from `start` while they end by `until`."""
    sprints, day = [], start
    while day + dt.timedelta(days=length_days - 1) <= until:
        sprints.append((day, day + dt.timedelta(days=length_days - 1)))
        day += dt.timedelta(days=length_days)
    return sprints


def _spend_months(today: dt.date) -> list[dt.date]:
    """The first days of the SPEND_MONTHS months before the current one, oldest first. A month's
    spend is booked once it has closed, as a finance system posts its actuals: the forecast counts
    a month with booked spend as a whole month (`funding.selectors.money`), so booking the current
    month's first sprints and bills made every forecast drop on the 1st (to a tenth of the
    allocation early in a quarter)."""
    months, day = [], today.replace(day=1)
    for _ in range(SPEND_MONTHS):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        months.append(day)
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
        fresh = budget is None
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
                # Last quarter's participatory budgeting played before its budget closed.
                _seed_participatory(ctx, budget)
                services.budget_close(user=director, budget=budget)
        if fresh and key in ("last", "current"):
            _date_history_back(budget, streams=streams, director=director, shift=key == "current")

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

    # 18 closed months of spend per stream, written once: labour is what the stream's teams cost
    # in the sprints that end in the month (the same calendar `seed_sprints` records), give or
    # take 4 %, except the two LABOUR_DEVIATIONS; licences and infrastructure a little on top.
    months = _spend_months(ctx.today)
    team_cost = _team_cost_by_month(streams, start=months[0], until=ctx.today.replace(day=1) - dt.timedelta(days=1))
    deviations = {(slug, months[-back]): factor for slug, back, factor in LABOUR_DEVIATIONS}
    for slug, (amount, _teams) in DEMO_FUNDING.items():
        vs = streams.get(slug)
        if vs is None or Spend.objects.filter(value_stream=vs, source="demo").exists():
            continue
        monthly = amount // 3
        rows = []
        for month in months:
            factor = deviations.get((slug, month)) or rng.randint(96, 104)
            labour = team_cost.get((vs.id, month), 0) * factor // 100
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


def _first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _team_cost_by_month(streams: dict, *, start: dt.date, until: dt.date) -> dict[tuple[int, dt.date], int]:
    """(value stream id, month) -> the cost of its teams' sprints ending in that month."""
    cost: dict[tuple[int, dt.date], int] = {}
    for team in Team.objects.filter(value_stream__in=streams.values(), active=True):
        for _first, last in sprint_calendar(start=start, until=until, length_days=team.sprint_length_days):
            key = (team.value_stream_id, _first_of(last))
            cost[key] = cost.get(key, 0) + team.cost_per_sprint_cents
    return cost


@transaction.atomic
def seed_sprints(ctx) -> None:
    """Team sprints over the 18 months of spend, each linked to the work items of its stream that
    finished inside it (a stream's items are dealt to its teams in turn), so the actual cost per
    epic is meaningful. Runs after the delivery data; idempotent (a team with sprints is skipped)."""
    start = _spend_months(ctx.today)[0]
    teams_by_stream: dict[int, list[Team]] = {}
    for team in Team.objects.filter(value_stream__in=ctx.value_streams, active=True).order_by("id"):
        teams_by_stream.setdefault(team.value_stream_id, []).append(team)
    for vs_id, teams in teams_by_stream.items():
        if TeamSprint.objects.filter(team__in=teams).exists():
            continue
        items = list(
            WorkItem.objects.filter(value_stream_id=vs_id, status="done", finished_at__isnull=False)
            .order_by("finished_at", "id")
            .values_list("id", "finished_at")
        )
        for index, team in enumerate(teams):
            mine = [(pk, at.date()) for n, (pk, at) in enumerate(items) if n % len(teams) == index]
            for first, last in sprint_calendar(start=start, until=ctx.today, length_days=team.sprint_length_days):
                sprint = TeamSprint.objects.create(
                    team=team, start=first, end=last, cost_cents=team.cost_per_sprint_cents
                )
                linked = [pk for pk, day in mine if first <= day <= last]
                if linked:
                    sprint.work_items.set(linked)


def _seed_participatory(ctx, budget) -> None:
    """Last quarter's session: its unallocated money in play at two tables of two, the cheaper
    analysed epics on offer, two rounds of pledges, closed, its outcome a scenario. Played now
    through the services, then dated back into the quarter (the time box had to be in the future
    to pledge)."""
    if PBSession.objects.filter(budget=budget).exists():
        return
    director, users = ctx.users["director"], ctx.users
    offers = list(
        Epic.objects.filter(state__in=("analyzing", "backlog"), estimated_cost_cents__lte=250 * K)
        .order_by("estimated_cost_cents", "key")
        .values_list("pk", flat=True)[:5]
    )
    if len(offers) < 3 or not all(name in users for name in ("vsm", "vsm2", "executive", "pm")):
        return
    allocated = sum(budget.allocations.values_list("amount_cents", flat=True))
    session = services.pb_session_create(
        user=director,
        budget=budget,
        name=f"{budget.quarter.code} business owners",
        money_cents=budget.total_cents - allocated,
        epic_ids=offers,
        tables={
            "Table 1": [users["vsm"].pk, users["executive"].pk],
            "Table 2": [users["vsm2"].pk, users["pm"].pk],
        },
        caps=[services.CapSpec(investment_type="enablers", max_pct=50)],
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    by_epic = {o.epic_id: o for o in session.offers.all()}
    first, second, third = (by_epic[pk] for pk in offers[:3])

    def pledge(username, offer, share_pct):
        # Half of the estimate from each of a table's two participants, capped by the share.
        seat = session.participants.get(user=users[username])
        amount = min(seat.share_cents, offer.estimate_cents * share_pct // 100)
        try:
            services.pb_pledge_set(user=users[username], session=session, offer_id=offer.pk, amount_cents=amount)
        except ValidationError:  # a cap or a share the random demo epics do not fit: the game goes on
            return

    pledge("vsm", first, 50)
    pledge("executive", first, 50)
    pledge("vsm2", first, 50)  # Table 2 does not complete it in round 1: returned with the next
    pledge("pm", second, 40)
    services.pb_round_close(user=director, session=session)
    pledge("vsm2", first, 50)
    pledge("pm", first, 50)
    pledge("vsm", third, 50)
    pledge("executive", third, 50)
    services.pb_session_close(user=director, session=session)
    services.pb_scenario_create(user=director, session=session)
    closed = dt.datetime.combine(budget.quarter.end - dt.timedelta(days=20), dt.time(16), tzinfo=dt.UTC)
    PBSession.objects.filter(pk=session.pk).update(
        created_at=closed - dt.timedelta(hours=3), ends_at=closed, closed_at=closed
    )
    PBPledgeEvent.objects.filter(session=session).update(created_at=closed - dt.timedelta(hours=1))


def _date_history_back(budget, *, streams, director, shift: bool) -> None:
    """Date a freshly seeded budget's history back to its planning, two weeks before its quarter,
    so the funding page as of a past date differs from today. For the current quarter, the
    planning gave Mobile 400,000 more and Lending 400,000 less; a mid-quarter shift (three weeks
    in) moved it, recorded as a change by the director."""
    quarter = budget.quarter
    planned = dt.datetime.combine(quarter.start - dt.timedelta(days=14), dt.time(10), tzinfo=dt.UTC)
    for model in (QuarterBudget, Allocation, Guardrail):
        rows = model.history.model.objects.filter(
            **({"id": budget.pk} if model is QuarterBudget else {"budget_id": budget.pk})
        )
        for n, pk in enumerate(rows.order_by("history_id").values_list("history_id", flat=True)):
            # Demo data only: history rows are otherwise never rewritten.
            rows.filter(history_id=pk).update(history_date=planned + dt.timedelta(minutes=n))
    if not shift or not {"mobile", "lending"} <= set(streams):
        return
    history = Allocation.history.model.objects
    moved = dt.datetime.combine(quarter.start + dt.timedelta(days=21), dt.time(15), tzinfo=dt.UTC)
    for slug, delta in (("mobile", 400 * K), ("lending", -400 * K)):
        allocation = Allocation.objects.get(budget=budget, value_stream=streams[slug])
        history.filter(id=allocation.pk, history_type="+").update(amount_cents=allocation.amount_cents + delta)
        Allocation.history.bulk_history_create(
            [allocation],
            default_date=moved,
            default_user=director,
            default_change_reason="Mid-quarter shift: the SME loan MVP first",
        )
