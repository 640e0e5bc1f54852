"""`manage.py seed_demo`: a realistic, idempotent demo portfolio (`--scale N` for benchmarks)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from funding import demo as funding_demo
from funding import demo_guardrails, demo_projects
from funding import demo_modes as funding_demo_modes
from kanban import demo as kanban_demo
from okrs import demo as okrs_demo
from portfolio import demo as portfolio_demo
from portfolio import demo_benefits, demo_delivery, demo_epics, demo_progress
from portfolio.models import RollupDue
from portfolio.services.base import rollup_nudges_paused
from vmo import demo as vmo_demo
from vmo import demo_maps, demo_people, demo_rhythm
from vmo.roles import role_groups_ensure, role_groups_missing
from vmo.services.rollups import rollup_backfill, rollup_value_streams


def _planner_statistics_refresh() -> None:
    """ANALYZE on PostgreSQL after the bulk load, before the rollups read it back.

    Rows written in a transaction not yet committed (the seed inside a test, or a first seed
    before autovacuum's analyze came round) leave the planner with empty-table statistics; the
    rollup's aggregates then ran as nested loops over sequential scans, seconds per query instead
    of milliseconds. ANALYZE inside the transaction sees its own rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Create (or refresh) the demo portfolio: users, value streams, quarters, themes and more."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the data for benchmarks (1 = demo).")
        # The command cannot know where the server will listen: `make run` passes its HOST:PORT.
        parser.add_argument(
            "--url",
            default=os.environ.get("VMO_URL", ""),
            help="The address the server will answer on, printed for the demo users (default: $VMO_URL).",
        )

    def handle(self, *args, scale: int, url: str, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        password = settings.DEMO_PASSWORD
        today = timezone.localdate()
        if role_groups_missing():  # a flushed database (tests) or groups deleted by hand
            role_groups_ensure()
        # The seeders' writes record outbox rows as any write does; no drain runs per commit (it
        # would recompute every day since the oldest spend, 18 months back, again and again).
        with rollup_nudges_paused():
            ctx = portfolio_demo.seed_base(password=password, today=today, scale=scale)
            # Each app adds its part, in dependency order; every seeder is idempotent.
            kanban_demo.seed_transitions(ctx, demo_epics.seed_epics(ctx))
            funding_demo.seed(ctx)  # after the epics: estimates and the guardrail mix need them
            demo_guardrails.seed_guardrail_mix(ctx)  # after the estimates: the mix is by cost
            demo_delivery.seed_delivery(value_streams=ctx.value_streams)
            funding_demo.seed_sprints(ctx)  # after the delivery data: sprints link its work items
            funding_demo_modes.seed_agile_commitments(ctx)  # the agile streams' sprint commitments
            demo_benefits.seed_benefits(ctx)
            demo_progress.seed_progress(ctx)  # after the sprints (actual cost), before the projects
            demo_projects.seed_projects(ctx)  # after sprints and spend: baselines are sized from actual cost
            kanban_demo.seed_mvp_pivot(ctx)
            okrs_demo.seed(ctx)
            vmo_demo.seed(ctx)
            demo_rhythm.seed_rhythm(ctx)
            demo_maps.seed_maps(ctx)
            demo_people.seed_people(ctx)
            _planner_statistics_refresh()
            # Last: weekly snapshots of the current quarter so far (and today's), so the pages show
            # trends, and the closing figures of last quarter, so the overview can compare the two.
            # Weekly, not daily: each day is a full rollup, and the nightly beat adds the days
            # from here on.
            last = ctx.quarters["last"]
            rollup_value_streams(value_stream_ids=[vs.id for vs in ctx.value_streams], quarter=last, as_of=last.end)
            rollup_backfill(quarter_id=ctx.quarters["current"].id, until=today, every_days=7)
            # The demo's snapshots are computed just above: the rows its own writes left in the
            # outbox are done, so a worker or `make run` does not recompute 18 months of days.
            RollupDue.objects.filter(value_stream__in=ctx.value_streams).delete()
        self.stdout.write(self.style.SUCCESS(f"Demo portfolio ready: {len(ctx.value_streams)} value streams."))
        where = f"at {url} " if url else "(`make run` serves http://127.0.0.1:8000/, or PORT=...) "
        self.stdout.write(f"Log in {where}with password '{password}' as:")
        for username, first, last, role, _staff in portfolio_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {first} {last} ({role})")
