"""Celery tasks of the notifications app (beat schedule in settings): thin wrappers around the
services, with the same options as vmo's tasks (late ack, retries on database errors, limits)."""

from celery import shared_task

from vmo.tasks import TASK_OPTIONS


@shared_task(name="notifications.tasks.notifications_evaluate_task", **TASK_OPTIONS)
def notifications_evaluate_task() -> int:
    """Run the notification rules; idempotent (one notice per event and user)."""
    from notifications.services import notifications_evaluate

    return notifications_evaluate()


@shared_task(name="notifications.tasks.notifications_digest_task", **TASK_OPTIONS)
def notifications_digest_task() -> dict:
    """E-mail the daily digests."""
    from notifications.services import notifications_digest_send

    result = notifications_digest_send()
    return {"emails": result.emails, "notices": result.notices}


@shared_task(name="notifications.tasks.report_schedules_send_task", **TASK_OPTIONS)
def report_schedules_send_task() -> int:
    """Send the scheduled reports due today; each schedule once per month."""
    from notifications.services import report_schedules_send

    return len(report_schedules_send())
