"""Celery tasks: thin wrappers (ids in, JSON out) around the rollup services.

All of them: late acknowledgement and rejection when the worker dies (the message is
redelivered), retries with exponential backoff and jitter on database errors, and soft/hard
time limits below the broker's visibility timeout (settings: 3600 s).
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from portfolio.services.base import ROLLUP_OUTBOX_DRAIN_TASK

logger = logging.getLogger(__name__)

# What a worker sends itself when it starts or reconnects to the broker: the work that waited in
# the database (rollup outbox, pending imports) while no message could reach it. No need to wait
# for beat's next tick; the drain is safe from several workers at once (SKIP LOCKED).
CATCH_UP_TASKS = [
    ROLLUP_OUTBOX_DRAIN_TASK,
    "portfolio.tasks.delivery_import_catch_up_task",
    "portfolio.tasks.events_deliver_task",  # outbound events recorded while no worker ran
]

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    # The limits themselves live in settings, once; set on each task so they show on it.
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@shared_task(name=ROLLUP_OUTBOX_DRAIN_TASK, **TASK_OPTIONS)
def rollup_outbox_drain_task() -> int:
    """Drain the rollup outbox: one run per due value stream. Returns how many streams ran."""
    from vmo.services.rollups import rollup_outbox_drain

    return len(rollup_outbox_drain())


@shared_task(name="vmo.tasks.rollup_value_stream_task", **TASK_OPTIONS)
def rollup_value_stream_task(value_stream_id: int, quarter_id: int | None = None) -> int:
    from vmo.services.rollups import rollup_value_stream

    return rollup_value_stream(value_stream_id=value_stream_id, quarter_id=quarter_id)


@shared_task(name="vmo.tasks.rollup_all_task", bind=True, **TASK_OPTIONS)
def rollup_all_task(self, quarter_id: int | None = None, value_stream_ids: list[int] | None = None) -> dict:
    """Roll up every active value stream (nightly), reporting progress as task state."""
    from vmo.services.rollups import rollup_all

    def progress(done: int, total: int, stage: str) -> None:
        if not self.request.called_directly:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total, "stage": stage})

    count = rollup_all(quarter_id=quarter_id, value_stream_ids=value_stream_ids, progress=progress)
    return {"value_streams": count}


@shared_task(name="vmo.tasks.forecast_value_streams_task", **TASK_OPTIONS)
def forecast_value_streams_task(value_stream_ids: list[int]) -> int:
    """Recompute and cache the Monte Carlo forecasts of these value streams (after a rollup)."""
    from vmo.services.forecasts import forecast_value_streams

    return forecast_value_streams(value_stream_ids=value_stream_ids)


def catch_up(app) -> None:
    """Send the catch-up tasks; a broker that fails here will be caught up at the next start."""
    for name in CATCH_UP_TASKS:
        try:
            app.send_task(name, ignore_result=True)
        except Exception:
            logger.warning("Could not send %s at worker start.", name, exc_info=True)


@worker_ready.connect
def _catch_up_on_worker_ready(sender=None, **kwargs) -> None:
    # `sender` is the worker's consumer; its app is the one configured for this process.
    catch_up(sender.app)
