"""The value stream page at `/value-streams/<slug>/`: delivery, flow, DORA, burn and OKRs.

A rollup started here runs as a Celery task; the page polls its state with htmx and shows a
progress bar, then the result. With the broker unreachable the request still answers at once
and the rollup waits in the outbox.
"""

import logging

from celery.result import AsyncResult
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portfolio.models import ValueStream
from portfolio.permissions import can_manage_value_stream
from portfolio.selectors.base import quarter_from_code
from portfolio.services.base import rollup_due_mark
from vmo.selectors.value_streams import value_stream_page

logger = logging.getLogger(__name__)
TEMPLATE = "vmo/value_stream.html"


@require_GET
def value_stream_detail(request, slug: str):
    value_stream = get_object_or_404(ValueStream.objects.prefetch_related("managers"), slug=slug)
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    page = value_stream_page(value_stream=value_stream, quarter=quarter, as_of=timezone.localdate())
    return render(
        request,
        TEMPLATE,
        {
            "page": page,
            "value_stream": value_stream,
            "can_manage": can_manage_value_stream(request.user, value_stream.id),
            "task_id": request.GET.get("task", ""),
        },
    )


def _progress_context(value_stream: ValueStream, task_id: str) -> dict:
    from celery import current_app as app

    result = AsyncResult(task_id, app=app)
    state, info = result.state, result.info
    done, total = 0, 4
    if state == "PROGRESS" and isinstance(info, dict):
        done, total = info.get("done", 0), info.get("total", 4) or 4
    elif state == "SUCCESS":
        done = total
    return {
        "value_stream": value_stream,
        "task_id": task_id,
        "state": state,
        "done": done,
        "total": total,
        "finished": state in ("SUCCESS", "FAILURE", "REVOKED"),
        "result": info if state == "SUCCESS" else None,
    }


@require_POST
def value_stream_rollup(request, slug: str):
    """Start a rollup of this stream (its managers and directors). Answers the progress partial
    to htmx, or redirects to the page, which polls the task."""
    value_stream = get_object_or_404(ValueStream, slug=slug)
    if not can_manage_value_stream(request.user, value_stream.id):
        raise PermissionDenied("Only this value stream's managers and VMO directors start its rollup.")
    from vmo.tasks import rollup_all_task

    try:
        task_id = rollup_all_task.delay(value_stream_ids=[value_stream.id]).id
    except Exception:
        # Broker down or hung: the publish failed fast (short timeouts); keep the work in the outbox.
        logger.warning("Broker unreachable; rollup of %s left in the outbox.", value_stream.slug, exc_info=True)
        with transaction.atomic():
            rollup_due_mark(value_stream_ids=[value_stream.id])
        messages.warning(request, "The background worker is unreachable; the rollup will run when it is back.")
        return redirect("value-stream-detail", slug=slug)
    if request.htmx:
        return render(request, f"{TEMPLATE}#task-progress", _progress_context(value_stream, task_id))
    return redirect(reverse("value-stream-detail", args=[slug]) + f"?task={task_id}")


@require_GET
def value_stream_task(request, slug: str, task_id: str):
    """The state of a rollup task, as the progress partial htmx polls."""
    value_stream = get_object_or_404(ValueStream, slug=slug)
    return render(request, f"{TEMPLATE}#task-progress", _progress_context(value_stream, task_id))
