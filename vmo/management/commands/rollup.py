"""`manage.py rollup [--value-stream SLUG] [--quarter CODE]`: the rollup, from cron or a shell."""

from django.core.management.base import BaseCommand, CommandError

from portfolio.models import Quarter, ValueStream
from vmo.services.rollups import rollup_all


class Command(BaseCommand):
    help = "Compute today's snapshot of every active value stream (or one) for a quarter (default: current)."

    def add_arguments(self, parser):
        parser.add_argument("--value-stream", dest="slug", help="Only this value stream (slug).")
        parser.add_argument("--quarter", dest="code", help="Quarter code such as 2026-Q3 (default: current).")

    def handle(self, *args, slug: str | None = None, code: str | None = None, **options):
        quarter_id = None
        if code:
            quarter = Quarter.objects.filter(code=code).first()
            if quarter is None:
                raise CommandError(f"No quarter {code}.")
            quarter_id = quarter.id
        ids = None
        if slug:
            value_stream = ValueStream.objects.filter(slug=slug).first()
            if value_stream is None:
                raise CommandError(f"No value stream {slug}.")
            ids = [value_stream.id]
        count = rollup_all(quarter_id=quarter_id, value_stream_ids=ids)
        self.stdout.write(self.style.SUCCESS(f"Rolled up {count} value stream(s)."))
