"""Webhook endpoints for GitHub, GitLab, Jira and PagerDuty.

DRF views with no user authentication (hence no session and no CSRF): the sender proves itself
with the shared secret from settings (`WEBHOOK_SECRETS`) over the raw body, which is read
before any parsing so its HMAC can be checked. No or an empty signature answers 401, a wrong
one 403, and nothing is stored in either case. The delivery id, and the hash of the signed
body, make a replay a no-op (the id is an unsigned header: the same body under a new id is a
replay too). A body over the size limit is a 413; one nested too deep, not JSON, or whose
payload does not match its event's schema a 400, logged; never a 500.
"""

import contextlib
import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.api import JSONTooLarge, json_body_check
from portfolio.models import Source
from portfolio.services import ingestion
from portfolio.services.delivery import BulkValidationError

logger = logging.getLogger(__name__)

TOO_LARGE = {"detail": "Payload too large."}


def _secret(source: str) -> str:
    return (getattr(settings, "WEBHOOK_SECRETS", {}) or {}).get(source, "")


def _raw_body(request) -> bytes | None:
    """The body, or None when it is over the limit (told by Content-Length before reading)."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > settings.JSON_MAX_BODY_BYTES:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return None if len(body) > settings.JSON_MAX_BODY_BYTES else body


def _parse(body: bytes):
    """The payload, or a 400/413 response: checked for size, depth and NUL before parsing."""
    try:
        json_body_check(body)
        payload = json.loads(body.decode("utf-8"))
    except JSONTooLarge:
        return JsonResponse(TOO_LARGE, status=413)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return JsonResponse({"detail": f"The body is not acceptable JSON: {exc}"[:300]}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "The body must be a JSON object."}, status=400)
    return payload


def _receive(request, *, source: str, verify, event: str, delivery_id: str):
    body = _raw_body(request)
    if body is None:
        return JsonResponse(TOO_LARGE, status=413)
    try:
        verify(body)
    except ingestion.SignatureMissing as exc:
        return JsonResponse({"detail": f"Unauthenticated: {exc}."}, status=401)
    except ingestion.SignatureInvalid as exc:
        return JsonResponse({"detail": f"Forbidden: {exc}."}, status=403)
    payload = _parse(body)
    if isinstance(payload, JsonResponse):
        logger.warning("Webhook from %s refused: %s", source, payload.content[:300])
        return payload
    body_sha256 = hashlib.sha256(body).hexdigest()
    # Tools that send no delivery id: the body itself identifies the delivery.
    delivery_id = delivery_id or "sha256:" + body_sha256
    try:
        outcome = ingestion.webhook_receive(
            source=source, delivery_id=delivery_id, event=event, payload=payload, body_sha256=body_sha256
        )
    except ingestion.PayloadInvalid as exc:
        logger.warning("Webhook from %s (%s, delivery %s) refused: %s", source, event, delivery_id, exc)
        return JsonResponse(
            {"detail": "The payload does not match its event's schema; nothing was stored.", "errors": exc.errors},
            status=400,
        )
    except BulkValidationError as exc:
        return JsonResponse(
            {"detail": "The payload could not be mapped; nothing was stored.", "rows": exc.rows}, status=400
        )
    except ValidationError as exc:
        return JsonResponse({"detail": exc.messages}, status=400)
    return JsonResponse(
        {
            "status": outcome.status,
            "work_items": outcome.work_items,
            "deployments": outcome.deployments,
            "commits": outcome.commits,
            "incidents": outcome.incidents,
        },
        status=200,
    )


class _WebhookView(APIView):
    """POST only; the signature is the authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read raw, never parsed by DRF

    def receive(self, request) -> JsonResponse:
        raise NotImplementedError

    @extend_schema(exclude=True)
    def post(self, request, *args, **kwargs):
        return self.receive(request)


class GitHubWebhook(_WebhookView):
    """GitHub: `X-Hub-Signature-256`; events issues, pull_request, deployment_status, push, workflow_run."""

    def receive(self, request):
        return _receive(
            request,
            source=Source.GITHUB,
            verify=lambda body: ingestion.verify_hmac_sha256(
                secret=_secret("github"), body=body, header=request.headers.get("X-Hub-Signature-256")
            ),
            event=request.headers.get("X-GitHub-Event", ""),
            delivery_id=request.headers.get("X-GitHub-Delivery", ""),
        )


class GitLabWebhook(_WebhookView):
    """GitLab: `X-Gitlab-Token`; events issue (incl. incidents), merge request, deployment, push, pipeline,
    alert."""

    def receive(self, request):
        return _receive(
            request,
            source=Source.GITLAB,
            verify=lambda body: ingestion.verify_token(
                secret=_secret("gitlab"), header=request.headers.get("X-Gitlab-Token")
            ),
            event=request.headers.get("X-Gitlab-Event", ""),
            delivery_id=request.headers.get("Idempotency-Key") or request.headers.get("X-Gitlab-Event-UUID", ""),
        )


class JiraWebhook(_WebhookView):
    """Jira: a shared secret signing the body (`X-Hub-Signature: sha256=...`), issue created/updated."""

    def receive(self, request):
        return _receive(
            request,
            source=Source.JIRA,
            verify=lambda body: ingestion.verify_hmac_sha256(
                secret=_secret("jira"), body=body, header=request.headers.get("X-Hub-Signature")
            ),
            event=request.headers.get("X-Atlassian-Webhook-Event", ""),
            delivery_id=request.headers.get("X-Atlassian-Webhook-Identifier", ""),
        )


class PagerDutyWebhook(_WebhookView):
    """PagerDuty v3: `X-PagerDuty-Signature: v1=<HMAC-SHA256>`; incident triggered / resolved."""

    def receive(self, request):
        body = _raw_body(request) or b""
        event_id = ""
        # _receive answers 400 (or 413) for a body that is not an acceptable JSON object; the
        # same checks run first here, so a hostile body is never parsed unguarded.
        with contextlib.suppress(UnicodeDecodeError, ValueError, AttributeError, TypeError):
            json_body_check(body)
            event_id = str((json.loads(body.decode("utf-8")).get("event") or {}).get("id", ""))[:200]
        return _receive(
            request,
            source=Source.PAGERDUTY,
            verify=lambda body: ingestion.verify_pagerduty(
                secret=_secret("pagerduty"), body=body, header=request.headers.get("X-PagerDuty-Signature")
            ),
            event="incident",
            delivery_id=event_id,
        )
