# The floors are hand-written SQL from the bench's own constants (no input reaches them).
# ruff: noqa: S608
"""Epic figures: the board `/kanban/` and `/api/epics/` (20 and 500 rows) over exactly 5,000
epics with business cases in exactly 20 value streams (fixed seed 13), through gunicorn as a
value stream manager, each against hand-written SQL for the same rows plus their encoding."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.template import Context, Engine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench import Http, Server, explain, floor, html, json_body, log_in, timed
from kanban.selectors import CARDS_PER_COLUMN
from portfolio import roles
from portfolio.models import WSJF_SCALE, Epic, EpicState, InvestmentHorizon, InvestmentType, StrategicTheme, ValueStream

EPICS = 5_000
STREAMS = 20
WORDS = [
    "payments",
    "onboarding",
    "ledger",
    "customers",
    "mobile",
    "latency",
    "fraud",
    "settlement",
    "compliance",
    "reporting",
    "partners",
    "checkout",
    "wallet",
    "identity",
    "search",
    "pricing",
    "analytics",
    "retention",
    "support",
    "migration",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def bench_vsm():
    """The bench's value stream manager (manages every stream the bench creates)."""
    user, _ = get_user_model().objects.get_or_create(
        username="bench-vsm", defaults={"first_name": "Bench", "last_name": "Manager"}
    )
    user.groups.add(Group.objects.get(name=roles.VALUE_STREAM_MANAGER))
    return user


def seed() -> None:
    """Exactly STREAMS value streams and EPICS epics with a lean business case, from seed 13."""
    rng = random.Random(13)
    vsm = bench_vsm()
    streams = ValueStream.objects.bulk_create(
        [ValueStream(name=f"Bench stream {n:02d}", slug=f"bench-{n:02d}") for n in range(1, STREAMS + 1)]
    )
    ValueStream.managers.through.objects.bulk_create(
        [ValueStream.managers.through(valuestream_id=vs.id, user_id=vsm.id) for vs in streams]
    )
    themes = StrategicTheme.objects.bulk_create(
        [StrategicTheme(name=f"Bench theme {n}", slug=f"bench-theme-{n}") for n in range(5)]
    )
    states = list(EpicState.values)
    now = timezone.now()
    epics = []
    for i in range(EPICS):
        scored = i % 10 != 0
        epics.append(
            Epic(
                key=f"BENCH-{i}",
                title=_text(rng, 6),
                value_stream=streams[i % STREAMS],
                state=rng.choice(states),
                state_changed_at=now,
                owner=vsm if i % 3 else None,
                investment_type=rng.choice(InvestmentType.values),
                horizon=rng.choice(InvestmentHorizon.values),
                description=_text(rng, 120),
                hypothesis_for=_text(rng, 8),
                hypothesis_who=_text(rng, 8),
                hypothesis_the=_text(rng, 5),
                hypothesis_is_a=_text(rng, 5),
                hypothesis_that=_text(rng, 12),
                hypothesis_unlike=_text(rng, 6),
                hypothesis_our_solution=_text(rng, 12),
                business_outcome_hypothesis=_text(rng, 40),
                leading_indicators=_text(rng, 30),
                nonfunctional_requirements=_text(rng, 20),
                mvp_definition=_text(rng, 30),
                in_scope=_text(rng, 20),
                out_of_scope=_text(rng, 20),
                business_value=rng.choice(WSJF_SCALE) if scored else None,
                time_criticality=rng.choice(WSJF_SCALE) if scored else None,
                risk_reduction=rng.choice(WSJF_SCALE) if scored else None,
                job_size=rng.choice(WSJF_SCALE) if scored else None,
                estimated_cost_cents=rng.randint(1, 5000) * 1_000_00,
                estimated_duration_weeks=rng.randint(2, 40),
                cost_of_delay_per_week_cents=rng.randint(1, 500) * 1_000_00,
            )
        )
    created = Epic.objects.bulk_create(epics, batch_size=500)
    through = Epic.themes.through
    through.objects.bulk_create(
        [through(epic_id=e.id, strategictheme_id=themes[n % len(themes)].id) for n, e in enumerate(created)],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


RANK = "wsjf DESC NULLS LAST, cost_of_delay DESC NULLS LAST, job_size ASC NULLS LAST, created_at, id"

BOARD_SQL = (
    "SELECT e.key, e.title, vs.name, e.wsjf, e.estimated_cost_cents, e.state, u.username, e.state_changed_at"
    " FROM (SELECT id, key, title, value_stream_id, owner_id, wsjf, estimated_cost_cents, state, state_changed_at,"
    f" ROW_NUMBER() OVER (PARTITION BY state ORDER BY {RANK}) AS rn FROM portfolio_epic) e"
    " JOIN portfolio_valuestream vs ON vs.id = e.value_stream_id LEFT JOIN auth_user u ON u.id = e.owner_id"
    f" WHERE e.rn <= {CARDS_PER_COLUMN} ORDER BY e.state, e.rn"
)
BOARD_TEMPLATE = Engine().from_string(
    '{% for r in rows %}<li id="card-{{ r.0 }}"><a href="/kanban/epics/{{ r.0 }}/">{{ r.0 }}</a> {{ r.1 }}'
    "<p>{{ r.2 }} · WSJF {{ r.3 }} · {{ r.4 }} · {{ r.6 }} · {{ r.7 }}</p></li>{% endfor %}"
)
LIST_COLUMNS = (
    "id, key, title, value_stream_id, kind, investment_type, horizon, state, state_changed_at, version, owner_id,"
    " business_value, time_criticality, risk_reduction, job_size, cost_of_delay, wsjf, estimated_cost_cents,"
    " estimated_duration_weeks, cost_of_delay_per_week_cents, target_quarter_id, go_decision_at, created_at"
)


def list_sql(n: int) -> str:
    """The top n epics in rank order, each with its theme ids (an array on PostgreSQL, one round
    trip; SQLite has no arrays and reads them in a second query)."""
    themes = ""
    if connection.vendor == "postgresql":
        themes = (
            ", ARRAY(SELECT t.strategictheme_id FROM portfolio_epic_themes t WHERE t.epic_id = portfolio_epic.id"
            " ORDER BY 1) AS themes"
        )
    return f"SELECT {LIST_COLUMNS}{themes} FROM portfolio_epic ORDER BY {RANK} LIMIT {int(n)}"


@floor("board")
def board_floor(params: dict[str, str]):
    with connection.cursor() as cursor:
        cursor.execute(BOARD_SQL)
        rows = cursor.fetchall()
    return html(BOARD_TEMPLATE.render(Context({"rows": rows})))


@floor("epics")
def list_floor(params: dict[str, str]):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portfolio_epic")
        count = cursor.fetchone()[0]
        cursor.execute(list_sql(int(params["n"])))
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if connection.vendor != "postgresql":
            ids = [row["id"] for row in rows]
            cursor.execute(
                "SELECT epic_id, strategictheme_id FROM portfolio_epic_themes WHERE epic_id IN"
                f" ({', '.join(['%s'] * len(ids))}) ORDER BY 1, 2",
                ids,
            )
            themes = {}
            for epic_id, theme_id in cursor.fetchall():
                themes.setdefault(epic_id, []).append(theme_id)
            for row in rows:
                row["themes"] = themes.get(row["id"], [])
    return json_body({"count": count, "results": rows})


def run(report, server: Server) -> None:
    report.ratio(
        "HTTP round trip (an empty answer; every floor pays it)",
        ours=timed(server.floor("empty")),
        floor=timed(server.floor("empty")),
        floor_is="the same",
        goal=None,
    )
    seed()
    vsm = bench_vsm()
    page = Http(server, session_key=log_in(vsm))
    api = Http(server, token=Token.objects.get_or_create(user=vsm)[0].key)
    report.value(
        "epics / value streams",
        f"{Epic.objects.count():,} / {ValueStream.objects.count()}",
        goal="5,000 / 20",
        met=(Epic.objects.count(), ValueStream.objects.count()) == (EPICS, STREAMS),
    )

    size = len(page.get("/kanban/"))
    report.value("board /kanban/ HTML", f"{size / 1024:,.0f} KB", goal="<= 250 KB", met=size <= 250 * 1024)
    report.ratio(
        "board /kanban/",
        ours=timed(lambda: page.get("/kanban/")),
        floor=timed(server.floor("board")),
        floor_is="SQL of the cards + minimal template",
        goal=3,
    )
    report.plan("board", explain(BOARD_SQL, []))
    # What any API answer costs in our stack (middleware, URL, token query, DRF, a count and one
    # row), so a short list's ratio can be read against it.
    report.ratio(
        "/api/value-streams/?page_size=1 (the smallest API answer)",
        ours=timed(lambda: api.get("/api/value-streams/?page_size=1")),
        floor=timed(server.floor("empty")),
        floor_is="an empty answer",
        goal=None,
    )
    for n in (20, 500):
        report.ratio(
            f"/api/epics/?page_size={n}",
            ours=timed(lambda n=n: api.get(f"/api/epics/?page_size={n}")),
            floor=timed(server.floor("epics", n=n)),
            floor_is="SQL of the rows + json.dumps",
            goal=2,
        )
        report.plan(f"/api/epics/ top {n}", explain(list_sql(n), []))
    run_as_of(report, page)


HISTORY_PER_EPIC = 20


def seed_history() -> None:
    """20 history rows per bench epic, one a week back from today, states and WSJF inputs varying,
    so the board as of a date reads a realistic history table (idempotent, seeded)."""
    history = Epic.history.model
    epics = list(Epic.objects.order_by("id"))
    if history.objects.count() >= HISTORY_PER_EPIC * len(epics):
        return
    history.objects.all().delete()
    rng = random.Random(11)
    states = list(EpicState.values)
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    if postgres:
        # Durable commits, as a production database makes them: `.ci/services.sh` starts a
        # throwaway PostgreSQL with synchronous_commit=off, and a row whose commit is not yet
        # flushed cannot be marked committed on its page, so the VACUUM below left most of the
        # table's visibility map unset (5-45 % of its pages, by how far the WAL writer had got).
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")
    for week in range(HISTORY_PER_EPIC, 0, -1):
        for epic in epics:
            epic.state = rng.choice(states)
            epic.business_value = rng.choice(WSJF_SCALE)
        Epic.history.bulk_history_create(epics, batch_size=2000, default_date=now - dt.timedelta(weeks=week - 1))
    # What autovacuum does to a table after 100,000 inserts: statistics for the planner (it had an
    # empty table's and planned for 376 rows) and the visibility map the as-of query's index-only
    # scan reads (`history_pages_visible` prints how much of it is set).
    with connection.cursor() as cursor:
        table = history._meta.db_table
        if postgres:
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("RESET synchronous_commit")
        else:
            cursor.execute(f"ANALYZE {table}")


def history_pages_visible() -> str:
    """The share of the history table's pages marked all-visible (PostgreSQL's visibility map)."""
    if connection.vendor != "postgresql":
        return "n/a (SQLite)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [Epic.history.model._meta.db_table]
        )
        pages, visible = cursor.fetchone()
    return f"{visible:,} of {pages:,} ({100 * visible // max(pages, 1)} %)"


def run_as_of(report, page) -> None:
    """The board as of a date over 20 history rows per epic, against the live board (issue 17:
    within 3x), through the same server."""
    seed_history()
    as_of = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    report.value("history rows behind the as-of board", f"{Epic.history.model.objects.count():,}")
    report.value("history table pages all-visible (after VACUUM)", history_pages_visible())
    report.ratio(
        f"board as of a date /kanban/?as_of={as_of}",
        ours=timed(lambda: page.get(f"/kanban/?as_of={as_of}")),
        floor=timed(lambda: page.get("/kanban/")),
        floor_is="the live board",
        goal=3,
    )
