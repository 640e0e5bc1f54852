"""Writes of the notifications app: evaluating the rules, reading notices, preferences, the
daily digest, and scheduled reports. Services are the permission gate (PermissionDenied)."""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import (
    DeliveryStatus,
    NoticeKind,
    Notification,
    NotificationPreference,
    ReportDelivery,
    ReportSchedule,
    ScheduledReport,
)
from notifications.rules import Notice, all_notices
from portfolio.models import ValueStream
from portfolio.permissions import is_director

logger = logging.getLogger(__name__)


# --- notices -----------------------------------------------------------------------------------


def _muted() -> set[tuple[int, str]]:
    """(user id, kind) pairs users turned off; one query over the preference rows with mutes."""
    rows = NotificationPreference.objects.exclude(muted_kinds=[]).values_list("user_id", "muted_kinds")
    return {(user_id, kind) for user_id, kinds in rows for kind in kinds or ()}


def notices_store(*, notices: list[Notice]) -> int:
    """Store one notification per notice and recipient, skipping kinds the user muted and events
    the user already has (the unique (user, key) pair: a rerun adds nothing). One insert.
    Returns how many rows were offered (already-stored ones are ignored by the database)."""
    muted = _muted()
    rows = [
        Notification(user_id=user_id, kind=n.kind, key=n.key, title=n.title[:300], body=n.body, url=n.url)
        for n in notices
        for user_id in dict.fromkeys(n.user_ids)
        if (user_id, n.kind) not in muted
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def notifications_evaluate(*, now: dt.datetime | None = None) -> int:
    """Run every rule and store what is new (the hourly beat task)."""
    now = now or timezone.now()
    return notices_store(notices=all_notices(now=now, today=timezone.localdate(now)))


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notices read. Another user's notice is not found (404): it stays
    unread, and its existence is not revealed."""
    notification = Notification.objects.get(id=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark all the user's unread notices read; one UPDATE. Returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_update(*, user, muted_kinds: list[str], email_digest: bool) -> NotificationPreference:
    """Set the kinds the user does not want and whether the digest is e-mailed."""
    unknown = set(muted_kinds) - set(NoticeKind.values)
    if unknown:
        raise ValidationError({"muted_kinds": f"Unknown kinds: {', '.join(sorted(unknown))}."})
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"muted_kinds": sorted(set(muted_kinds)), "email_digest": email_digest},
    )
    return preference


# --- the daily digest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestResult:
    emails: int
    notices: int


def notifications_digest_send(*, now: dt.datetime | None = None) -> DigestResult:
    """E-mail each user one digest of the notices no digest has carried yet (users with an
    address and the digest on). A user's notices are claimed (emailed_at set) before the mail
    goes out, so two runs never send them twice; a failed send releases them for the next run."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__notification_preference__email_digest=False)
        .select_related("user")
        .order_by("user_id", "kind", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    emails = notices = 0
    connection = get_connection()
    for items in by_user.values():
        ids = [n.id for n in items]
        claimed = Notification.objects.filter(id__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        if claimed != len(ids):
            # Another run claimed some of them meanwhile: leave the rest to the next run.
            Notification.objects.filter(id__in=ids, emailed_at=now).update(emailed_at=None)
            continue
        user = items[0].user
        message = EmailMessage(
            subject=f"VMO: {len(items)} new notification{'s' if len(items) != 1 else ''}",
            body=render_to_string(
                "notifications/digest_email.txt", {"user": user, "items": items, "site_url": settings.SITE_URL}
            ),
            to=[user.email],
            connection=connection,
        )
        try:
            message.send()
        except Exception:
            logger.warning("Digest to user %s failed; kept for the next run.", user.id, exc_info=True)
            Notification.objects.filter(id__in=ids).update(emailed_at=None)
            continue
        emails += 1
        notices += len(items)
    return DigestResult(emails=emails, notices=notices)


# --- scheduled reports ---------------------------------------------------------------------------


def _recipients_clean(raw: str) -> str:
    addresses = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
    if not addresses:
        raise ValidationError({"recipients": "Give at least one e-mail address."})
    if len(addresses) > 50:
        raise ValidationError({"recipients": "At most 50 recipients."})
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"recipients": f"Not an e-mail address: {address[:100]}"}) from None
    return "\n".join(dict.fromkeys(addresses))


@transaction.atomic
def report_schedule_create(
    *, user, report: str, day_of_month: int, recipients: str, value_stream: ValueStream | None = None
) -> ReportSchedule:
    """A director schedules a report for a list of recipients on a day of the month."""
    if not is_director(user):
        raise PermissionDenied("Only VMO directors schedule reports.")
    if report != ScheduledReport.MONTHLY_PDF and value_stream is not None:
        raise ValidationError({"value_stream": "Only the monthly report is scoped to a value stream."})
    schedule = ReportSchedule(
        report=report,
        day_of_month=day_of_month,
        recipients=_recipients_clean(recipients),
        value_stream=value_stream,
        created_by=user,
    )
    schedule.full_clean()
    schedule.save()
    return schedule


@transaction.atomic
def report_schedule_set_active(*, user, schedule_id: int, active: bool) -> ReportSchedule:
    """A director pauses or resumes a schedule (kept, with its history, never deleted)."""
    if not is_director(user):
        raise PermissionDenied("Only VMO directors change report schedules.")
    schedule = ReportSchedule.objects.select_for_update().get(id=schedule_id)
    schedule.active = active
    schedule.save(update_fields=["active"])
    return schedule


def _previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def report_attachment(*, schedule: ReportSchedule, today: dt.date) -> tuple[str, bytes, str]:
    """(filename, content, mimetype) of what a schedule sends: last month's report as PDF, or
    the current quarter's overview as XLSX. Built by vmo's own report and export code."""
    from portfolio.selectors.base import quarter_current
    from vmo.exports import XLSX_CONTENT_TYPE, monthly_report_pdf_response, xlsx_response
    from vmo.selectors.report_summary import report_summary
    from vmo.selectors.reports import export_table, monthly_report

    if schedule.report == ScheduledReport.MONTHLY_PDF:
        month = _previous_month(today)
        report = monthly_report(month=month, value_stream=schedule.value_stream)
        response = monthly_report_pdf_response(report, summary=report_summary(report=report))
        slug = schedule.value_stream.slug if schedule.value_stream else "portfolio"
        return f"vmo-report-{slug}-{month:%Y-%m}.pdf", response.content, "application/pdf"
    quarter = quarter_current(today=today)
    if quarter is None:
        raise ValidationError("No quarter to export.")
    response = xlsx_response(export_table(name="overview", quarter=quarter), filename="overview.xlsx")
    return f"vmo-overview-{quarter.code}.xlsx", response.content, XLSX_CONTENT_TYPE


def _claim(*, schedule: ReportSchedule, month: dt.date, now: dt.datetime) -> ReportDelivery | None:
    """The month's delivery row, claimed for this run; None when sent or claimed elsewhere."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(schedule=schedule, month=month, attempted_at=now)
    except IntegrityError:
        pass
    # A failed month is retried: claim it back with a conditional update (one winner).
    claimed = ReportDelivery.objects.filter(schedule=schedule, month=month, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.SENDING, attempted_at=now, error=""
    )
    return ReportDelivery.objects.get(schedule=schedule, month=month) if claimed else None


def report_schedule_send(*, schedule: ReportSchedule, now: dt.datetime) -> ReportDelivery | None:
    """Send one schedule's report for the month of `now`, once: None when already sent."""
    today = timezone.localdate(now)
    delivery = _claim(schedule=schedule, month=today.replace(day=1), now=now)
    if delivery is None:
        return None
    recipients = schedule.recipient_list
    try:
        filename, content, mimetype = report_attachment(schedule=schedule, today=today)
        message = EmailMessage(
            subject=f"VMO: {schedule.get_report_display()} ({today:%B %Y})",
            body=render_to_string("notifications/report_email.txt", {"schedule": schedule, "today": today}),
            to=recipients,
        )
        message.attach(filename, content, mimetype)
        message.send()
    except Exception as exc:
        logger.warning("Scheduled report %s failed.", schedule.id, exc_info=True)
        delivery.status = DeliveryStatus.FAILED
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.save(update_fields=["status", "error"])
        return delivery
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.recipients = "\n".join(recipients)
    delivery.filename = filename
    delivery.size_bytes = len(content)
    delivery.save(update_fields=["status", "sent_at", "recipients", "filename", "size_bytes"])
    return delivery


def report_schedules_send(*, now: dt.datetime | None = None) -> list[ReportDelivery]:
    """Send every active schedule whose day of this month has come and that has not sent this
    month yet (the daily beat task; a missed day is caught up the next)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        ReportSchedule.objects.filter(active=True, day_of_month__lte=today.day)
        .exclude(
            Exists(
                ReportDelivery.objects.filter(
                    schedule=OuterRef("pk"), month=today.replace(day=1), status=DeliveryStatus.SENT
                )
            )
        )
        .select_related("value_stream")
        .order_by("id")
    )
    sent = []
    for schedule in due:
        delivery = report_schedule_send(schedule=schedule, now=now)
        if delivery is not None:
            sent.append(delivery)
    return sent
