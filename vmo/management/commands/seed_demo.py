"""`manage.py seed_demo`: a realistic, idempotent demo portfolio (`--scale N` for benchmarks)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from funding import demo as funding_demo
from kanban import demo as kanban_demo
from okrs import demo as okrs_demo
from portfolio import demo as portfolio_demo
from portfolio import demo_delivery, demo_epics
from vmo import demo as vmo_demo
from vmo.roles import role_groups_ensure, role_groups_missing
from vmo.services.rollups import rollup_backfill, rollup_value_streams


class Command(BaseCommand):
    help = "Create (or refresh) the demo portfolio: users, value streams, quarters, themes and more."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the data for benchmarks (1 = demo).")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        password = settings.DEMO_PASSWORD
        today = timezone.localdate()
        if role_groups_missing():  # a flushed database (tests) or groups deleted by hand
            role_groups_ensure()
        ctx = portfolio_demo.seed_base(password=password, today=today, scale=scale)
        # Each app adds its part, in dependency order; every seeder is idempotent.
        kanban_demo.seed_transitions(ctx, demo_epics.seed_epics(ctx))
        funding_demo.seed(ctx)  # after the epics: estimates and the guardrail mix need them
        demo_delivery.seed_delivery(value_streams=ctx.value_streams)
        okrs_demo.seed(ctx)
        vmo_demo.seed(ctx)
        # Last: daily snapshots of the current quarter so far, so the pages show trends, and the
        # closing figures of last quarter, so the overview can compare the two.
        last = ctx.quarters["last"]
        rollup_value_streams(value_stream_ids=[vs.id for vs in ctx.value_streams], quarter=last, as_of=last.end)
        rollup_backfill(quarter_id=ctx.quarters["current"].id, until=today)
        self.stdout.write(self.style.SUCCESS(f"Demo portfolio ready: {len(ctx.value_streams)} value streams."))
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with password '{password}' as:")
        for username, first, last, role, _staff in portfolio_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {first} {last} ({role})")
