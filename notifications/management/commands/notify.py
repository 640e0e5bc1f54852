"""`manage.py notify [--digest] [--reports]`: the beat tasks' work, for a box run from cron."""

from django.core.management.base import BaseCommand

from notifications.services import notifications_digest_send, notifications_evaluate, report_schedules_send


class Command(BaseCommand):
    help = "Evaluate the notification rules; with --digest e-mail the digests; with --reports send due reports."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Also e-mail the daily digests.")
        parser.add_argument("--reports", action="store_true", help="Also send the scheduled reports due today.")

    def handle(self, *args, digest: bool = False, reports: bool = False, **options):
        offered = notifications_evaluate()
        self.stdout.write(f"Notices offered: {offered}")
        if digest:
            result = notifications_digest_send()
            self.stdout.write(f"Digests sent: {result.emails} ({result.notices} notices)")
        if reports:
            self.stdout.write(f"Reports sent: {len(report_schedules_send())}")
