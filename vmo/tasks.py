"""Celery tasks: thin wrappers (ids in, JSON out) around the rollup services.

All of them: late acknowledgement and rejection when the worker dies (the message is
redelivered), retries with exponential backoff and jitter on database errors, and soft/hard
time limits below the broker's visibility timeout (settings: 3600 s).
"""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from portfolio.services.base import ROLLUP_OUTBOX_DRAIN_TASK

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
