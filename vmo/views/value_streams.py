"""The value stream page at `/value-streams/<slug>/`: delivery, flow, DORA, burn and OKRs.

"Roll up now" records the stream in the rollup outbox and answers at once; a worker drains the
outbox (nudged after commit by a publisher that never blocks the request, or when it starts,
or on beat's tick). The page polls progress read from the database only: the outbox row and
the snapshot's `computed_at`. No request here talks to the broker or the result backend, so a
dead or hung Redis costs these pages nothing.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from portfolio.models import ValueStream
from portfolio.permissions import can_manage_value_stream
from portfolio.selectors.base import quarter_from_code
from portfolio.services.base import rollup_due_mark
from vmo.forms_people import ReleaseTrainForm, StreamRoleForm
from vmo.selectors.people import release_trains_of_stream, stream_people, train_predictability_in_quarter
from vmo.selectors.value_streams import rollup_progress, value_stream_page

TEMPLATE = "vmo/value_stream.html"


def _parse_since(raw: str | None) -> dt.datetime | None:
    try:
        since = dt.datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return since if timezone.is_aware(since) else None


@require_GET
def value_stream_detail(request, slug: str):
    value_stream = get_object_or_404(ValueStream.objects.prefetch_related("managers"), slug=slug)
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    page = value_stream_page(value_stream=value_stream, quarter=quarter, as_of=timezone.localdate())
    since = _parse_since(request.GET.get("rollup"))
    can_manage = can_manage_value_stream(request.user, value_stream.id)
    # People in their roles and the stream's release trains (issue 20).
    trains = release_trains_of_stream(value_stream_id=value_stream.id)
    by_train = train_predictability_in_quarter(quarter=quarter) if trains and quarter else {}
    for train in trains:
        train.quarter_predictability = by_train.get(train.id)
    people = {"people": stream_people(value_stream_id=value_stream.id), "trains": trains}
    if can_manage:
        people |= {
            "role_form": StreamRoleForm(value_stream_id=value_stream.id),
            "train_form": ReleaseTrainForm(value_stream_id=value_stream.id),
        }
    return render(
        request,
        TEMPLATE,
        {
            "page": page,
            "value_stream": value_stream,
            "can_manage": can_manage,
            "rollup_since": since.isoformat() if since else "",
            **people,
        },
    )


def _progress_context(value_stream: ValueStream, since: dt.datetime) -> dict:
    progress = rollup_progress(value_stream_id=value_stream.id, since=since)
    return {
        "value_stream": value_stream,
        "progress": progress,
        "finished": progress.finished,
        "done": 2 if progress.finished else 1,
        "total": 2,
        "poll_url": reverse("value-stream-rollup-progress", args=[value_stream.slug])
        + "?"
        + urlencode({"since": since.isoformat()}),
    }


@require_POST
def value_stream_rollup(request, slug: str):
    """Ask for a rollup of this stream (its managers and directors): one outbox row, no broker
    call in the request. Answers the progress partial to htmx, or redirects to the page, which
    polls it."""
    value_stream = get_object_or_404(ValueStream, slug=slug)
    if not can_manage_value_stream(request.user, value_stream.id):
        raise PermissionDenied("Only this value stream's managers and VMO directors start its rollup.")
    since = timezone.now()
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[value_stream.id])
    if request.htmx:
        return render(request, f"{TEMPLATE}#task-progress", _progress_context(value_stream, since))
    return redirect(reverse("value-stream-detail", args=[slug]) + "?" + urlencode({"rollup": since.isoformat()}))


@require_GET
def value_stream_rollup_progress(request, slug: str):
    """The progress partial htmx polls: from the outbox and the snapshot, never the broker."""
    value_stream = get_object_or_404(ValueStream, slug=slug)
    since = _parse_since(request.GET.get("since"))
    if since is None:
        return HttpResponseBadRequest("`since` must be an ISO 8601 date-time with a time zone.")
    return render(request, f"{TEMPLATE}#task-progress", _progress_context(value_stream, since))
