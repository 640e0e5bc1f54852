"""`manage.py forecast_backtest [--value-stream SLUG]`: recompute the forecasts and print how
often P85 held when replayed at past dates (should be near 85 %)."""

from django.core.management.base import BaseCommand, CommandError

from portfolio.models import ValueStream
from portfolio.selectors.forecasts import forecast_hit_rates
from vmo.services.forecasts import BACKTEST_AHEAD, forecast_value_streams


class Command(BaseCommand):
    help = "Replay the Monte Carlo forecast at past weeks and report the P85 hit rate per value stream."

    def add_arguments(self, parser):
        parser.add_argument("--value-stream", dest="slug", help="Only this value stream (slug).")

    def handle(self, *args, slug: str | None = None, **options):
        streams = ValueStream.objects.filter(active=True)
        if slug:
            streams = ValueStream.objects.filter(slug=slug)
            if not streams.exists():
                raise CommandError(f"No value stream {slug}.")
        ids = list(streams.values_list("id", flat=True))
        forecast_value_streams(value_stream_ids=ids)
        self.stdout.write(f"P85 of 'how many items in the next {BACKTEST_AHEAD} weeks', replayed weekly:")
        for row in forecast_hit_rates():
            if row.value_stream.id not in ids:
                continue
            rate = "no data" if row.rate is None else f"{row.rate:.0%}"
            self.stdout.write(f"{row.value_stream.slug}: {rate} ({row.hits}/{row.points} hits)")
