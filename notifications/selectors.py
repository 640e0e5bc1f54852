"""Reads of the notifications app: a user's unread count (the bell), their latest notices,
their preferences, the report schedules and what they sent."""

from django.db.models import QuerySet

from notifications.models import Notification, NotificationPreference, ReportDelivery, ReportSchedule

# The list page shows this many of the newest notices.
LIST_LIMIT = 100


def unread_count(*, user) -> int:
    """One indexed COUNT."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's newest notices, newest first (one query)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")[:LIST_LIMIT]


def preference_of(*, user) -> NotificationPreference:
    """The user's preferences; the defaults (everything on) when they never saved any."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def report_schedule_list() -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.select_related("value_stream", "created_by").order_by("-active", "day_of_month", "id")


def report_delivery_list(*, limit: int = 200) -> QuerySet[ReportDelivery]:
    return ReportDelivery.objects.select_related("schedule", "schedule__value_stream").order_by("-attempted_at", "-id")[
        :limit
    ]
