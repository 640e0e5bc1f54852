"""`manage.py import_spend FILE --user USERNAME`: import spend from CSV, all rows or none."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from funding.services.spend import SPEND_CSV_MAX_BYTES, spend_import_csv


class Command(BaseCommand):
    help = (
        "Import spend from a CSV file (columns value_stream, month, amount, category, epic, note). "
        "Validated as the given user (their value streams only); nothing is written if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8).")
        parser.add_argument("--user", required=True, help="Username whose permissions apply and who is recorded.")
        parser.add_argument("--source", default="csv", help="Source recorded on each row (default: csv).")

    def handle(self, *args, path: str, user: str, source: str, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            with open(path, "rb") as handle:
                data = handle.read(SPEND_CSV_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        result = spend_import_csv(user=account, data=data, source=source[:60])
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s).")
        self.stdout.write(self.style.SUCCESS(f"Imported {result.created} spend rows."))
