"""`manage.py rollup [--value-stream SLUG] [--quarter CODE | --since DATE]`: the rollup, from cron
or a shell. `--since` recomputes every snapshot from that day to today, finished quarters included
(late data), as the outbox drain does for a write dated in the past."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portfolio.models import Quarter, ValueStream
from vmo.services.rollups import rollup_all, rollup_all_since


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since wants a date such as 2026-10-05, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Compute today's snapshot of every active value stream (or one) for a quarter (default: current), "
        "or with --since every day's snapshot from that date to today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--value-stream", dest="slug", help="Only this value stream (slug).")
        parser.add_argument("--quarter", dest="code", help="Quarter code such as 2026-Q3 (default: current).")
        parser.add_argument(
            "--since", dest="since", help="Recompute the snapshots of every day from this date (YYYY-MM-DD) to today."
        )

    def handle(self, *args, slug: str | None = None, code: str | None = None, since: str | None = None, **options):
        if code and since:
            raise CommandError("Give --quarter or --since, not both: --since covers every quarter from that day.")
        ids = None
        if slug:
            value_stream = ValueStream.objects.filter(slug=slug).first()
            if value_stream is None:
                raise CommandError(f"No value stream {slug}.")
            ids = [value_stream.id]
        if since:
            day = _day(since)
            if day > timezone.localdate():
                raise CommandError(f"--since {day} is in the future.")
            runs = rollup_all_since(since=day, value_stream_ids=ids)
            self.stdout.write(self.style.SUCCESS(f"Rolled up {runs} day(s) since {day}."))
            return
        quarter_id = None
        if code:
            quarter = Quarter.objects.filter(code=code).first()
            if quarter is None:
                raise CommandError(f"No quarter {code}.")
            quarter_id = quarter.id
        count = rollup_all(quarter_id=quarter_id, value_stream_ids=ids)
        self.stdout.write(self.style.SUCCESS(f"Rolled up {count} value stream(s)."))
