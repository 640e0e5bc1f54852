"""Notices for people (in-app and a daily e-mail digest), their preferences, and scheduled
reports with the history of what was sent."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from portfolio.models import ValueStream


class NoticeKind(models.TextChoices):
    GUARDRAIL_DRIFT = "guardrail_drift", "Guardrail drift beyond tolerance"
    COST_DEVIATION = "cost_deviation", "Labour spend strays from team cost"
    ACTION_OVERDUE = "action_overdue", "Overdue action item"
    KR_CHECK_IN = "kr_check_in", "Key result without a recent check-in"
    GO_DECISION = "go_decision", "Epic waiting for a go decision"
    NO_RELEASE = "no_release", "Value stream without a release"
    ROLLUP = "rollup", "Rollup failed or stale"


class Notification(models.Model):
    """One notice to one user about one event. `key` names the event (for example
    `action_overdue:12:2026-07-01`): the unique (user, key) pair makes the rule run idempotent,
    however often it runs. `emailed_at` is set when the daily digest carried it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, max_length=2000)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_one_per_event_and_user")]
        indexes = [
            # The bell counts a user's unread notices on every page.
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["emailed_at"], name="notification_emailed_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's choices: the kinds they do not want (neither in-app nor by e-mail) and whether
    the daily digest is e-mailed. No row means every kind and the digest on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    muted_kinds = models.JSONField(default=list, blank=True)
    email_digest = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ScheduledReport(models.TextChoices):
    MONTHLY_PDF = "monthly_pdf", "Monthly report (PDF)"
    OVERVIEW_XLSX = "overview_xlsx", "Overview export (XLSX)"


class ReportSchedule(models.Model):
    """A director's standing order: send `report` to `recipients` on `day_of_month` each month.
    Days stop at 28 so every month has the day. The monthly report is last month's; the
    overview export is the current quarter's."""

    report = models.CharField(max_length=20, choices=ScheduledReport.choices)
    day_of_month = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(28)])
    recipients = models.TextField(max_length=4000, help_text="E-mail addresses, one per line or separated by commas.")
    value_stream = models.ForeignKey(
        ValueStream,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The monthly report of one value stream; empty for the whole portfolio.",
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day_of_month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_of_month__gte=1) & Q(day_of_month__lte=28),
                name="report_schedule_day_1_28",
                violation_error_message="The day of the month is between 1 and 28.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} on day {self.day_of_month}"

    @property
    def recipient_list(self) -> list[str]:
        return [part.strip() for part in self.recipients.replace(",", "\n").splitlines() if part.strip()]


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReportDelivery(models.Model):
    """What a schedule sent in a month (the history page). Unique per schedule and month: the
    row is claimed before the mail goes out, so a second run (or a second worker) never sends
    the same month twice; a failed month is retried by the next run."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="deliveries")
    month = models.DateField(help_text="First day of the month the delivery belongs to.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING)
    recipients = models.TextField(max_length=4000, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, max_length=2000)
    attempted_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "month"], name="report_delivery_once_a_month")]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.month:%Y-%m} {self.status}"
