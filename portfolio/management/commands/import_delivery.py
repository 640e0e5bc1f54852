"""`manage.py import_delivery KIND FILE [--value-stream SLUG]`: import delivery data from CSV."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portfolio.models import DeliveryImportKind, ValueStream
from portfolio.services.csv_import import delivery_csv_import
from portfolio.services.delivery import BulkValidationError


class Command(BaseCommand):
    help = "Import work items, deployments or incidents from a CSV file (all or nothing, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DeliveryImportKind.values)
        parser.add_argument("path", help="CSV file with the API's field names as header.")
        parser.add_argument("--value-stream", dest="slug", help="Value stream for rows without that column.")

    def handle(self, *args, kind: str, path: str, slug: str | None = None, **options):
        value_stream_id = None
        if slug:
            value_stream_id = ValueStream.objects.filter(slug=slug).values_list("id", flat=True).first()
            if value_stream_id is None:
                raise CommandError(f"No value stream {slug}.")
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            totals = delivery_csv_import(kind=kind, text=text, value_stream_id=value_stream_id)
        except BulkValidationError as exc:
            lines = [f"line {index + 2}: {errors}" for index, errors in sorted(exc.rows.items())[:20]]
            raise CommandError("Nothing was imported.\n" + "\n".join(lines)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{totals['rows']} rows: {totals['created']} created, {totals['updated']} updated, "
                f"{totals['unchanged']} unchanged."
            )
        )
