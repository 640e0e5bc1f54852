"""`manage.py seed_demo`: a realistic, idempotent demo portfolio (`--scale N` for benchmarks)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from funding import demo as funding_demo
from okrs import demo as okrs_demo
from portfolio import demo as portfolio_demo
from vmo import demo as vmo_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo portfolio: users, value streams, quarters, themes and more."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the data for benchmarks (1 = demo).")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        password = settings.DEMO_PASSWORD
        today = timezone.localdate()
        ctx = portfolio_demo.seed_base(password=password, today=today, scale=scale)
        # Each app adds its part, in dependency order; every seeder is idempotent.
        funding_demo.seed(ctx)
        okrs_demo.seed(ctx)
        vmo_demo.seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo portfolio ready: {len(ctx.value_streams)} value streams."))
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with password '{password}' as:")
        for username, first, last, role, _staff in portfolio_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {first} {last} ({role})")
