"""The "background updates are delayed" banner, loaded by htmx after the page.

Loaded separately so no page pays for it in its own queries (their counts are pinned): one
indexed query here, and a page answers in its normal time even when the broker is down.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vmo.selectors.snapshots import outbox_delayed


@require_GET
@never_cache
def background_status(request):
    return render(request, "vmo/background_status.html", {"delayed": outbox_delayed()})
