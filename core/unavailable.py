"""A dependency that is down answers 503 with `Retry-After`, never a 500 with a traceback.

`DatabaseUnavailableMiddleware` turns a database connection failure (`OperationalError`,
`InterfaceError`) raised by a view into a styled "temporarily unavailable" page, or a JSON 503
under `/api/`. Failures raised by other middleware (the session or user lookup that
`LoginRequiredMiddleware` triggers before the view) never reach `process_exception`, so
`server_error`, the project's `handler500`, answers the same 503 for them. The details go to
the log only; the page names no host, port or error text. The page template is rendered
without a request, so no context processor (all of which may query) runs.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def unavailable_response(request, *, dependency: str = "database") -> HttpResponse:
    """The 503 answer: JSON under /api/, else the styled page; both with `Retry-After`."""
    retry_after = int(getattr(settings, "UNAVAILABLE_RETRY_AFTER_SECONDS", 30))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"The service is temporarily unavailable ({dependency}); retry later."}, status=503
        )
    else:
        html = loader.render_to_string(
            "errors/unavailable.html", {"dependency": dependency, "retry_after": retry_after, "path": request.path}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Database down is a 503 with `Retry-After` (page or JSON), not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE_ERRORS):
            logger.error("Database unavailable during %s %s", request.method, request.path, exc_info=exception)
            return unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    """`handler500`: a database failure outside the view is still a 503; anything else is
    Django's plain 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return unavailable_response(request)
    return django_server_error(request, *args, **kwargs)
