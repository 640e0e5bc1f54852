"""Celery tasks of portfolio: thin wrappers that take ids and call one service."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.publish import publish

logger = logging.getLogger(__name__)

DELIVERY_IMPORT_TASK = "portfolio.tasks.delivery_import_task"
DELIVERY_IMPORT_CATCH_UP_TASK = "portfolio.tasks.delivery_import_catch_up_task"


@shared_task(
    name=DELIVERY_IMPORT_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def delivery_import_task(self, import_id: int) -> dict:
    """Import a stored CSV of delivery data, writing its progress (rows done of total) on the row.

    An import already finished is left alone, so a duplicate message (the upload's nudge and a
    worker's catch-up both sent one) changes nothing; a rerun of a pending one is harmless, the
    import being idempotent.
    """
    from portfolio.models import DeliveryImport, DeliveryImportStatus
    from portfolio.services.csv_import import delivery_import_run

    claimed = DeliveryImport.objects.filter(id=import_id, status=DeliveryImportStatus.PENDING).update(
        started_at=timezone.now()
    )
    if not claimed:
        logger.info("Delivery import %s is finished or gone; nothing to do.", import_id)
        return {}

    side = _side_connection()

    def progress(done: int, total: int) -> None:
        # The import runs in one transaction (all or nothing), so its own connection's writes
        # are invisible until the end; progress goes through a second, autocommit connection.
        if side is not None:
            with side.cursor() as cursor:
                cursor.execute(
                    "UPDATE portfolio_deliveryimport SET rows_done = %s, rows_total = %s WHERE id = %s",
                    [done, total, import_id],
                )

    try:
        return delivery_import_run(import_id=import_id, progress=progress)
    finally:
        if side is not None:
            side.close()


def _side_connection():
    """A second connection to the default database for progress writes, on PostgreSQL only:
    SQLite allows one writer, so there the page shows "importing" without row counts."""
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        return None
    return connections.create_connection("default")


@shared_task(name=DELIVERY_IMPORT_CATCH_UP_TASK, acks_late=True, reject_on_worker_lost=True)
def delivery_import_catch_up_task() -> int:
    """Send the import task for every pending import not started yet (their upload's message was
    lost with the broker). Returns how many were sent."""
    from portfolio.models import DeliveryImport, DeliveryImportStatus

    ids = list(
        DeliveryImport.objects.filter(status=DeliveryImportStatus.PENDING, started_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    for import_id in ids:  # one message per import: each runs in its own task
        publish(DELIVERY_IMPORT_TASK, kwargs={"import_id": import_id})
    return len(ids)


@shared_task(
    name="portfolio.tasks.events_deliver_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def events_deliver_task() -> dict:
    """Deliver the outbound events that are due, then ask for another run when a retry falls
    due before beat's next tick (beat's minute covers the longer waits)."""
    from celery import current_app as app
    from django.conf import settings

    from portfolio.services.events import EVENTS_DELIVER_TASK, _embedded_later, events_deliver

    result = events_deliver()
    wait = result.next_due_in
    if wait is not None and wait < settings.EVENTS_BEAT_SECONDS:
        if not app.conf.task_always_eager:
            app.send_task(EVENTS_DELIVER_TASK, countdown=int(wait) + 1, ignore_result=True)
        elif settings.EVENTS_EMBEDDED_DELIVERY_DELAY:
            _embedded_later(wait + 1)  # embedded mode: no worker, no beat; a timer stands in
    return {"delivered": result.delivered, "failed": result.failed}
