"""Factories of the notifications app (issue 19)."""

import factory
from django.utils import timezone

from notifications.models import NoticeKind, Notification, ReportDelivery, ReportSchedule, ScheduledReport
from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NoticeKind.ACTION_OVERDUE
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Notice {n}")


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSchedule

    report = ScheduledReport.MONTHLY_PDF
    day_of_month = 3
    recipients = "board@example.org"


class ReportDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportDelivery

    schedule = factory.SubFactory(ReportScheduleFactory)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    attempted_at = factory.LazyFunction(timezone.now)
