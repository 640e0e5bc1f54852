"""Liveness and readiness probes for load balancers and orchestrators."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vmo.health import readiness_checks


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def readyz(request):
    """200 when the database and (if configured) the broker answer, else 503 naming what failed."""
    results = readiness_checks()
    failed = {name: error for name, error in results.items() if error}
    body = {"status": "ok" if not failed else "unavailable", "checks": {k: v or "ok" for k, v in results.items()}}
    return JsonResponse(body, status=503 if failed else 200)
