"""Demo epics: about 150 over every Kanban state, with business cases, WSJF scores, MVPs/MMPs,
dependencies and ROAMed risks (`--scale N` multiplies the epics for benchmarks).

Idempotent: a fixed random seed decides everything, epics are upserted on their key, and
children are only added when their natural key (epic + title, or the dependency pair) is
missing. Bulk writes keep `--scale` fast. The Kanban's seeder (`kanban.demo`) adds the
transition history and WIP limits.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portfolio.demo_vocabulary import business_case
from portfolio.models import (
    EPIC_FLOW,
    MMP,
    Dependency,
    Epic,
    EpicKind,
    EpicState,
    InvestmentHorizon,
    InvestmentType,
    MMPKind,
    MMPStatus,
    Risk,
    RoamStatus,
)

SEED = 20260701
# How many of each 150 epics sit in each state.
STATE_MIX = (
    (EpicState.FUNNEL, 35),
    (EpicState.REVIEWING, 20),
    (EpicState.ANALYZING, 16),
    (EpicState.BACKLOG, 25),
    (EpicState.IMPLEMENTING, 22),
    (EpicState.DONE, 22),
    (EpicState.NOT_PURSUED, 10),
)
SCALE = (1, 2, 3, 5, 8, 13, 20)
# The quarter (0 last, 1 current, 2 next) that funds an epic in each column: implementing epics
# are paid from the current quarter (the funding page's "Implementing" column reads them there),
# finished ones were paid last quarter, the analysed ones wait for the next planning.
TARGET_QUARTER = {EpicState.ANALYZING: 2, EpicState.BACKLOG: 1, EpicState.IMPLEMENTING: 1, EpicState.DONE: 0}
# Smaller streams get smaller epics, so what they implement fits what they are allocated.
COST_DIVISOR = {"hr": 8, "finance": 5, "data": 2, "core-ops": 2}
# (title, for whom, who need to, the solution, that): each value stream has its own ideas, so
# titles and hypotheses read as that stream's work; an idea used again is its next phase.
STREAM_IDEAS = {
    "payments": (
        (
            "Instant payouts",
            "merchants",
            "need their money the same day",
            "instant payout service",
            "settles in seconds",
        ),
        (
            "Request to pay",
            "small businesses",
            "chase unpaid invoices",
            "request-to-pay flow",
            "gets invoices paid faster",
        ),
        (
            "Self-service disputes",
            "card holders",
            "question a transaction",
            "dispute assistant",
            "resolves disputes without a call",
        ),
        (
            "Real-time fraud scoring",
            "the fraud team",
            "stop fraud before settlement",
            "streaming fraud model",
            "blocks fraud in flight",
        ),
        (
            "Card controls",
            "card holders",
            "limit where their card works",
            "card control centre",
            "puts limits in their hands",
        ),
        (
            "SEPA instant credit transfers",
            "retail customers",
            "send money at any hour",
            "instant transfer rail",
            "arrives in ten seconds",
        ),
        (
            "Merchant QR payments",
            "market traders",
            "take cards without a terminal",
            "QR acceptance",
            "costs no hardware",
        ),
    ),
    "onboarding": (
        (
            "Digital identity verification",
            "new customers",
            "open an account remotely",
            "video identification",
            "verifies them in minutes",
        ),
        (
            "Mobile onboarding redesign",
            "first-time app users",
            "drop out of sign-up",
            "guided onboarding",
            "halves the drop-out",
        ),
        (
            "Business account opening online",
            "sole traders",
            "open a business account",
            "online business onboarding",
            "needs no branch visit",
        ),
        (
            "KYC refresh automation",
            "the compliance team",
            "refresh customer due diligence",
            "periodic KYC workflow",
            "asks only what changed",
        ),
        (
            "Document capture",
            "applicants",
            "send proof of address",
            "in-app document scanner",
            "reads documents automatically",
        ),
        (
            "Joint account invitations",
            "couples",
            "open an account together",
            "invite-a-co-holder flow",
            "onboards both in one go",
        ),
    ),
    "lending": (
        (
            "Credit decision engine",
            "loan officers",
            "decide SME loans",
            "rules and model decision engine",
            "decides most loans the same day",
        ),
        (
            "Buy now pay later",
            "online shoppers",
            "spread the cost of purchases",
            "instalment checkout",
            "approves at the checkout",
        ),
        (
            "Loan servicing portal",
            "borrowers",
            "manage repayments",
            "servicing self-service",
            "lets them change a date themselves",
        ),
        ("Mortgage pre-approval", "home buyers", "know their budget", "online pre-approval", "answers in one session"),
        (
            "Collections early warning",
            "the collections team",
            "reach customers before arrears",
            "arrears prediction",
            "flags risk a month ahead",
        ),
        (
            "Green home loans",
            "home owners",
            "finance energy upgrades",
            "green loan product",
            "prices in lower energy bills",
        ),
    ),
    "mobile": (
        (
            "Savings goals",
            "young customers",
            "save for something specific",
            "goal-based savings pockets",
            "makes saving visible",
        ),
        ("Chat support", "app users", "get help fast", "in-app chat with agents", "answers within two minutes"),
        (
            "Accessible banking",
            "customers with disabilities",
            "use our channels",
            "WCAG 2.2 AA app",
            "works with screen readers",
        ),
        (
            "Spending insights",
            "app users",
            "understand where money goes",
            "categorised spending view",
            "shows trends at a glance",
        ),
        ("Passkey login", "app users", "log in without passwords", "passkey sign-in", "stops credential phishing"),
        (
            "Push notification centre",
            "app users",
            "miss important events",
            "notification preferences",
            "tells them only what matters",
        ),
    ),
    "data": (
        (
            "Unified customer profile",
            "service agents",
            "see the whole customer",
            "customer 360 view",
            "shows every product on one screen",
        ),
        (
            "Data quality monitoring",
            "analysts",
            "trust their numbers",
            "data quality checks",
            "catches bad data before reports",
        ),
        (
            "Event streaming platform",
            "engineering teams",
            "integrate systems in real time",
            "event backbone",
            "replaces nightly file drops",
        ),
        (
            "Self-service analytics",
            "business analysts",
            "answer their own questions",
            "governed semantic layer",
            "needs no ticket to the data team",
        ),
        (
            "Model risk management",
            "the risk office",
            "govern ML models",
            "model inventory and monitoring",
            "tracks every model in production",
        ),
        (
            "Data catalogue",
            "data consumers",
            "find the right data set",
            "searchable catalogue with owners",
            "names an owner for every table",
        ),
    ),
    "core-ops": (
        (
            "Cloud migration of the ledger",
            "operations",
            "run the ledger at lower cost",
            "cloud ledger",
            "cuts hosting cost by a third",
        ),
        (
            "Observability platform",
            "on-call engineers",
            "find the cause of incidents",
            "tracing and metrics stack",
            "finds causes in minutes",
        ),
        (
            "Regulatory reporting automation",
            "the finance team",
            "file regulatory reports",
            "reporting pipeline",
            "files without spreadsheets",
        ),
        (
            "Batch window reduction",
            "operations",
            "finish the overnight run",
            "parallel batch scheduler",
            "ends the run before 5 am",
        ),
        (
            "Mainframe decommissioning",
            "the platform team",
            "retire legacy systems",
            "strangler migration",
            "switches off a licence a quarter",
        ),
        (
            "DORA resilience testing",
            "the resilience office",
            "prove recovery times",
            "scenario-based recovery tests",
            "meets the DORA (EU) tests",
        ),
    ),
    "hr": (
        ("Payroll system replacement", "HR", "pay staff correctly", "SaaS payroll", "pays everyone right first time"),
        ("Learning platform", "staff", "build skills", "learning experience platform", "suggests the next course"),
        (
            "Recruiting pipeline",
            "hiring managers",
            "fill roles faster",
            "applicant tracking system",
            "shortens time to hire",
        ),
        (
            "Staff onboarding portal",
            "new joiners",
            "be productive from day one",
            "pre-boarding portal",
            "has their laptop ready on day one",
        ),
        (
            "Internal mobility marketplace",
            "employees",
            "find their next role inside",
            "internal job marketplace",
            "keeps talent in the bank",
        ),
    ),
    "finance": (
        ("Close acceleration", "controllers", "close the books", "continuous accounting", "closes in three days"),
        (
            "Procure-to-pay digitisation",
            "buyers",
            "order from suppliers",
            "e-procurement workflow",
            "needs no paper purchase orders",
        ),
        ("Expense management", "staff", "claim their expenses", "receipt-scanning app", "reimburses within a week"),
        (
            "Cost allocation engine",
            "the controlling team",
            "charge costs to value streams",
            "driver-based allocation",
            "shows each stream its full cost",
        ),
        ("Cash forecasting", "the treasury", "plan liquidity", "rolling cash forecast", "forecasts 13 weeks ahead"),
    ),
}
# Streams without their own ideas (the generated ones of `--scale`) share these, named by stream.
IDEAS = tuple(idea for ideas in STREAM_IDEAS.values() for idea in ideas)
RISKS = (
    "Vendor delivery slips",
    "Scheme rule change pending",
    "Key engineer leaving",
    "Regulator feedback outstanding",
    "Performance under peak load unproven",
    "Data migration quality",
)


@dataclass
class EpicSeed:
    epic: Epic
    state: str
    created_at: dt.datetime


def _prefix(slug: str) -> str:
    if slug.startswith("generated-"):
        return "G" + slug.split("-")[1]
    return {"core-ops": "OPS", "hr": "HR"}.get(slug, slug[:3].upper())


def _idea(stream, index: int) -> tuple[str, tuple]:
    """The stream's `index`-th epic idea and a title unique within the stream (a reused idea is
    its next phase); streams without ideas of their own carry their name in the title."""
    ideas = STREAM_IDEAS.get(stream.slug)
    own = ideas is not None
    if not own:
        ideas = IDEAS
    idea = ideas[index % len(ideas)]
    phase = index // len(ideas) + 1
    title = idea[0] + (f", phase {phase}" if phase > 1 else "") + ("" if own else f" ({stream.name})")
    return title, idea


def _states(total: int, rng: random.Random) -> list[str]:
    states = []
    for state, share in STATE_MIX:
        states.extend([state] * round(total * share / 150))
    while len(states) < total:
        states.append(EpicState.FUNNEL)
    states = states[:total]
    rng.shuffle(states)
    return states


@transaction.atomic
def seed_epics(ctx) -> list[EpicSeed]:
    """Upsert the demo epics and their children; returns what the Kanban seeder needs."""
    rng = random.Random(SEED)
    now = timezone.now()
    total = 150 * ctx.scale
    streams = ctx.value_streams
    users = ctx.users
    director = users["director"]
    quarters = [ctx.quarters["last"], ctx.quarters["current"], ctx.quarters["next"]]
    states = _states(total, rng)
    counters: dict[int, int] = {}
    planned: list[tuple[Epic, str, dt.datetime, tuple]] = []
    for n in range(total):
        stream = streams[n % len(streams)]
        counters[stream.id] = counters.get(stream.id, 0) + 1
        key = f"{_prefix(stream.slug)}-{counters[stream.id]}"
        title, idea = _idea(stream, counters[stream.id] - 1)
        state = states[n]
        depth = EPIC_FLOW.index(state) if state in EPIC_FLOW else rng.randint(1, 3)
        manager = users["vsm"] if stream.slug in ("payments", "onboarding", "core-ops", "finance") else users["vsm2"]
        created_at = now - dt.timedelta(days=rng.randint(20 + depth * 10, 182), hours=rng.randint(0, 23))
        scored = depth >= 2 or rng.random() < 0.5
        # A support stream's epics cost a fraction of a product stream's (its allocation does).
        cost = (
            rng.choice((80, 150, 250, 400, 650, 900, 1200, 1800, 2500)) * 1_000_00 // COST_DIVISOR.get(stream.slug, 1)
        )
        big = cost > 1_000_000_00
        epic = Epic(
            key=key,
            value_stream=stream,
            title=title,
            kind=EpicKind.ENABLER if n % 5 == 0 else EpicKind.BUSINESS,
            investment_type=InvestmentType.ENABLERS if n % 5 == 0 else InvestmentType.BUSINESS_FEATURES,
            horizon=rng.choice([InvestmentHorizon.H1, InvestmentHorizon.H2, InvestmentHorizon.H3]),
            owner=manager if depth >= 1 or rng.random() < 0.4 else None,
            description=f"{idea[0]} for {idea[1]} who {idea[2]}.",
            hypothesis_for=idea[1] if depth >= 1 or n % 3 == 0 else "",
            hypothesis_who=idea[2] if depth >= 1 or n % 3 == 0 else "",
            hypothesis_the=idea[3] if depth >= 1 else "",
            hypothesis_that=idea[4] if depth >= 1 else "",
            **business_case(slug=stream.slug, key=key, idea=idea, depth=depth),
            mvp_definition=f"A pilot of the {idea[3]} with 100 {idea[1]}" if depth >= 2 else "",
            estimated_cost_cents=cost if depth >= 2 or rng.random() < 0.3 else None,
            estimated_duration_weeks=rng.choice((6, 8, 12, 16, 26)) if depth >= 2 else None,
            cost_of_delay_per_week_cents=rng.choice((5, 10, 20, 40, 80)) * 1_000_00 if depth >= 3 else None,
            target_quarter=quarters[TARGET_QUARTER[state]] if state in TARGET_QUARTER else None,
            state=state,
            business_value=rng.choice(SCALE) if scored else None,
            time_criticality=rng.choice(SCALE) if scored else None,
            risk_reduction=rng.choice(SCALE) if scored else None,
            job_size=rng.choice(SCALE) if scored else None,
            go_decision_by=(director if big else manager) if depth >= 3 else None,
            go_decision_at=created_at + dt.timedelta(days=depth * 9) if depth >= 3 else None,
            go_decision_note="Strong case; MVP first." if depth >= 3 else "",
        )
        themes = rng.sample(ctx.themes, k=rng.randint(1, 2)) if ctx.themes else []
        planned.append((epic, state, created_at, tuple(themes)))

    fields = [f.name for f in Epic._meta.concrete_fields if f.name not in ("id", "key", "cost_of_delay", "wsjf")]
    fields = [f for f in fields if f not in ("created_at", "updated_at", "state_changed_at", "version")]
    keys = [e.key for e, *_ in planned]
    existing = set(Epic.objects.filter(key__in=keys).values_list("key", flat=True))
    # One upsert on the unique key (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL):
    # a second run refreshes the content without a CASE-per-row bulk_update.
    all_epics = [e for e, *_ in planned]
    Epic.objects.bulk_create(
        all_epics, batch_size=500, update_conflicts=True, unique_fields=["key"], update_fields=fields
    )
    ids = dict(Epic.objects.filter(key__in=keys).values_list("key", "id"))
    for epic in all_epics:
        epic.id = ids[epic.key]
    new = [e for e in all_epics if e.key not in existing]
    created_at_by_key = {e.key: c for e, _, c, _ in planned}
    for epic in new:
        epic.created_at = created_at_by_key[epic.key]
    Epic.objects.bulk_update(new, ["created_at"], batch_size=500)
    _seed_history(new, rng=rng, now=now)

    through = Epic.themes.through
    through.objects.bulk_create(
        [through(epic_id=e.id, strategictheme_id=t.id) for e, _, _, themes in planned for t in themes],
        ignore_conflicts=True,
    )
    epics = [e for e, *_ in planned]
    _seed_children(epics, rng=rng, users=users, quarters=quarters)
    return [EpicSeed(epic=e, state=s, created_at=c) for e, s, c, _ in planned]


def _seed_history(new: list[Epic], *, rng: random.Random, now) -> None:
    """A first scoring three months back for some epics, then their current figures, so the
    epic page has WSJF and cost changes to show (only for epics created by this run)."""
    first, current = [], []
    for epic in new:
        epic._history_user = epic.owner
        epic._history_date = max(epic.created_at, now - dt.timedelta(days=40))
        current.append(epic)
        if epic.business_value is not None and rng.random() < 0.5:
            earlier = Epic(**{f.attname: getattr(epic, f.attname) for f in Epic._meta.concrete_fields})
            earlier.business_value = rng.choice(SCALE)
            earlier.job_size = rng.choice(SCALE)
            if epic.estimated_cost_cents:
                earlier.estimated_cost_cents = epic.estimated_cost_cents * 3 // 4
            earlier._history_user = epic.owner
            earlier._history_date = epic._history_date - dt.timedelta(days=50)
            first.append(earlier)
    Epic.history.bulk_history_create(first, batch_size=500, default_change_reason="scored")
    Epic.history.bulk_history_create(current, batch_size=500, default_change_reason="rescored")


def _seed_children(epics: list[Epic], *, rng: random.Random, users, quarters) -> None:
    have_mmps = set(MMP.objects.filter(epic__in=epics).values_list("epic_id", "title"))
    have_risks = set(Risk.objects.filter(epic__in=epics).values_list("epic_id", "title"))
    mmps, risks, dependencies = [], [], []
    by_stream: dict[int, list[Epic]] = {}
    for epic in epics:
        by_stream.setdefault(epic.value_stream_id, []).append(epic)
    for n, epic in enumerate(epics):
        depth = EPIC_FLOW.index(epic.state) if epic.state in EPIC_FLOW else 1
        if depth >= 2:
            plan = [(MMPKind.MVP, f"MVP: {epic.mvp_definition[:150] or epic.title}")]
            plan += [(MMPKind.MMP, f"MMP {i}: {epic.title[:150]}") for i in range(1, 1 + n % 3)]
            for i, (kind, title) in enumerate(plan):
                if (epic.id, title) in have_mmps:
                    continue
                status = MMPStatus.PLANNED
                released = None
                if epic.state == EpicState.DONE or (epic.state == EpicState.IMPLEMENTING and i == 0):
                    # Releases spread over the last six months, each epic's later MMPs after its MVP.
                    days_ago = 60 + (n * 29) % 120 - 25 * i
                    status, released = MMPStatus.RELEASED, timezone.localdate() - dt.timedelta(days=days_ago)
                elif epic.state == EpicState.IMPLEMENTING:
                    status = MMPStatus.IN_PROGRESS
                mmps.append(
                    MMP(
                        epic=epic,
                        kind=kind,
                        title=title,
                        description="First release to test the hypothesis." if kind == MMPKind.MVP else "",
                        target_quarter=quarters[min(2, i + 1)],
                        status=status,
                        released_on=released,
                        cost_estimate_cents=(epic.estimated_cost_cents or 0) // (3 + i) or None,
                    )
                )
        if depth >= 1 and n % 3 == 0:
            title = RISKS[n % len(RISKS)]
            if (epic.id, title) not in have_risks:
                risks.append(
                    Risk(
                        value_stream_id=epic.value_stream_id,
                        epic=epic,
                        title=title,
                        description="Raised in the portfolio sync.",
                        roam_status=rng.choice(list(RoamStatus.values)),
                        owner=epic.owner,
                    )
                )
        if depth >= 2 and n % 4 == 0:
            others = [e for e in epics[max(0, n - 40) : n] if e.value_stream_id != epic.value_stream_id]
            if others:
                target = others[n % len(others)]
                dependencies.append(
                    Dependency(
                        epic=epic,
                        depends_on=target,
                        description=f"Needs {target.title} first",
                        needed_by=timezone.localdate() + dt.timedelta(days=30 + n % 60),
                        resolved=epic.state == EpicState.DONE,
                    )
                )
    MMP.objects.bulk_create(mmps, batch_size=500)
    Risk.objects.bulk_create(risks, batch_size=500)
    Dependency.objects.bulk_create(dependencies, batch_size=500, ignore_conflicts=True)
