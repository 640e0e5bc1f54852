"""Celery tasks of portfolio: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="portfolio.tasks.delivery_import_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def delivery_import_task(self, import_id: int) -> dict:
    """Import a stored CSV of delivery data, reporting progress (rows done of total)."""
    from portfolio.services.csv_import import delivery_import_run

    def progress(done: int, total: int) -> None:
        if not self.request.called_directly:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    return delivery_import_run(import_id=import_id, progress=progress)
