"""Webhook ingestion: verify the sender, map the tool's payload to our rows, upsert once.

Adapters are plain functions from a parsed payload to rows of the common model; they never
write. `webhook_receive` records the delivery id and upserts in one transaction, so a replayed
delivery (same id) changes nothing and a failed one can be sent again.

Tool statuses map to flow statuses through `StatusMapping` rows per source (an admin edits
them); without a mapping a tool's own status category decides (GitHub open/closed, GitLab
opened/closed/merged, Jira's status category). Repositories and projects map to value streams
through `SourceRule` rows; a delivery from an unmapped repository is acknowledged and ignored.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from portfolio.models import FlowItemType, Source, SourceRule, StatusMapping, WebhookDelivery, WorkItemStatus
from portfolio.services.delivery import BulkValidationError, deployments_upsert, work_items_upsert

logger = logging.getLogger(__name__)


# --- signatures ---------------------------------------------------------------------------


class SignatureMissing(Exception):
    """No signature or token was sent (401)."""


class SignatureInvalid(Exception):
    """A signature or token was sent and is wrong, or no secret is configured (403)."""


def verify_hmac_sha256(*, secret: str, body: bytes, header: str | None) -> None:
    """GitHub's `X-Hub-Signature-256` (and Jira's `X-Hub-Signature`): `sha256=<hex HMAC of body>`."""
    if not header:
        raise SignatureMissing("signature header missing")
    if not secret:
        raise SignatureInvalid("no secret configured for this source")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        raise SignatureInvalid("signature does not match")


def verify_token(*, secret: str, header: str | None) -> None:
    """GitLab's `X-Gitlab-Token`: the shared secret itself, compared in constant time."""
    if not header:
        raise SignatureMissing("token header missing")
    if not secret:
        raise SignatureInvalid("no secret configured for this source")
    if not hmac.compare_digest(secret.encode(), header.encode()):
        raise SignatureInvalid("token does not match")


# --- payload adapters ---------------------------------------------------------------------


@dataclass
class Mapped:
    """What a delivery means for us: a repository/project key and rows per kind."""

    location: str = ""
    work_items: list[dict] = field(default_factory=list)
    deployments: list[dict] = field(default_factory=list)


def _dt(value):
    if not value:
        return None
    if isinstance(value, int | float):
        import datetime as dt

        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    text = str(value).strip().replace(" UTC", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1).replace(" ", "")
    return parse_datetime(text)


BUG_WORDS = {"bug", "defect", "incident"}
DEBT_WORDS = {"debt", "tech-debt", "tech debt", "technical debt", "refactor", "chore"}
RISK_WORDS = {"risk", "security", "compliance", "vulnerability"}


def _item_type(names) -> str:
    lowered = {str(name).lower() for name in names if name}
    if lowered & BUG_WORDS:
        return FlowItemType.DEFECT
    if lowered & RISK_WORDS:
        return FlowItemType.RISK
    if lowered & DEBT_WORDS:
        return FlowItemType.DEBT
    return FlowItemType.FEATURE


def _status(candidates: list[str], mapping: dict[str, str], default: str) -> str:
    """The first candidate tool status with a configured mapping wins, else the default."""
    for name in candidates:
        if name and name.lower() in mapping:
            return mapping[name.lower()]
    return default


def _work_item(*, source, external_id, title, item_type, status, created, updated, closed) -> dict:
    row = {
        "source": source,
        "external_id": external_id,
        "title": (title or "")[:500],
        "item_type": item_type,
        "status": status,
        "created_at": created,
    }
    if status == WorkItemStatus.DONE:
        row["finished_at"] = closed or updated or created
    if updated and status != WorkItemStatus.NEW:
        row["status_changed_at"] = closed if status == WorkItemStatus.DONE and closed else updated
    return row


def _environment(name: str) -> str:
    return "production" if (name or "").lower() in {"production", "prod", "live"} else (name or "")[:60]


def github_map(event: str, payload: dict, mapping: dict[str, str]) -> Mapped:
    repo = (payload.get("repository") or {}).get("full_name", "")
    mapped = Mapped(location=repo)
    if event in ("issues", "pull_request"):
        obj = payload.get("issue" if event == "issues" else "pull_request") or {}
        labels = [label.get("name", "") for label in obj.get("labels") or []]
        state = obj.get("state", "")
        if state == "closed" and (
            obj.get("state_reason") == "not_planned" or (event == "pull_request" and not obj.get("merged_at"))
        ):
            default = WorkItemStatus.CANCELED
        elif state == "closed":
            default = WorkItemStatus.DONE
        else:
            # An open pull request is work in progress; an open issue is not started yet.
            default = WorkItemStatus.ACTIVE if event == "pull_request" else WorkItemStatus.NEW
        status = _status([*labels, state], mapping, default)
        sign = "#" if event == "issues" else "!"
        mapped.work_items.append(
            _work_item(
                source=Source.GITHUB,
                external_id=f"{repo}{sign}{obj.get('number')}",
                title=obj.get("title"),
                item_type=_item_type(labels),
                status=status,
                created=_dt(obj.get("created_at")),
                updated=_dt(obj.get("updated_at")),
                closed=_dt(obj.get("merged_at") or obj.get("closed_at")),
            )
        )
    elif event == "deployment_status":
        status = payload.get("deployment_status") or {}
        deployment = payload.get("deployment") or {}
        state = status.get("state", "")
        if state in ("success", "failure", "error"):
            mapped.deployments.append(
                {
                    "source": Source.GITHUB,
                    "external_id": f"{repo}:{deployment.get('id')}",
                    "environment": _environment(deployment.get("environment", "")),
                    "deployed_at": _dt(status.get("created_at") or deployment.get("created_at")),
                    "succeeded": state == "success",
                }
            )
    return mapped


def gitlab_map(event: str, payload: dict, mapping: dict[str, str]) -> Mapped:
    project = (payload.get("project") or {}).get("path_with_namespace", "")
    mapped = Mapped(location=project)
    kind = payload.get("object_kind", "")
    if kind in ("issue", "merge_request"):
        attrs = payload.get("object_attributes") or {}
        labels = [label.get("title", "") for label in payload.get("labels") or attrs.get("labels") or []]
        state = attrs.get("state", "")
        default = {
            "closed": WorkItemStatus.DONE if kind == "issue" else WorkItemStatus.CANCELED,
            "merged": WorkItemStatus.DONE,
            "locked": WorkItemStatus.WAITING,
        }.get(state, WorkItemStatus.ACTIVE if kind == "merge_request" else WorkItemStatus.NEW)
        sign = "#" if kind == "issue" else "!"
        mapped.work_items.append(
            _work_item(
                source=Source.GITLAB,
                external_id=f"{project}{sign}{attrs.get('iid')}",
                title=attrs.get("title"),
                item_type=_item_type(labels),
                status=_status([*labels, state], mapping, default),
                created=_dt(attrs.get("created_at")),
                updated=_dt(attrs.get("updated_at")),
                closed=_dt(attrs.get("closed_at") or attrs.get("merged_at")),
            )
        )
    elif kind == "deployment":
        state = payload.get("status", "")
        if state in ("success", "failed", "canceled"):
            mapped.deployments.append(
                {
                    "source": Source.GITLAB,
                    "external_id": f"{project}:{payload.get('deployment_id')}",
                    "environment": _environment(payload.get("environment", "")),
                    "deployed_at": _dt(payload.get("status_changed_at")),
                    "succeeded": state == "success",
                }
            )
    return mapped


JIRA_CATEGORY = {"new": WorkItemStatus.NEW, "indeterminate": WorkItemStatus.ACTIVE, "done": WorkItemStatus.DONE}


def jira_map(event: str, payload: dict, mapping: dict[str, str]) -> Mapped:
    issue = payload.get("issue") or {}
    fields = issue.get("fields") or {}
    project = (fields.get("project") or {}).get("key", "")
    mapped = Mapped(location=project)
    if payload.get("webhookEvent") not in ("jira:issue_created", "jira:issue_updated"):
        return mapped
    status_obj = fields.get("status") or {}
    category = (status_obj.get("statusCategory") or {}).get("key", "new")
    status = _status([status_obj.get("name", "")], mapping, JIRA_CATEGORY.get(category, WorkItemStatus.NEW))
    issue_type = (fields.get("issuetype") or {}).get("name", "")
    mapped.work_items.append(
        _work_item(
            source=Source.JIRA,
            external_id=issue.get("key", ""),
            title=fields.get("summary"),
            item_type=_item_type([issue_type, *(fields.get("labels") or [])]),
            status=status,
            created=_dt(fields.get("created")),
            updated=_dt(fields.get("updated") or payload.get("timestamp")),
            closed=_dt(fields.get("resolutiondate")),
        )
    )
    return mapped


ADAPTERS = {Source.GITHUB: github_map, Source.GITLAB: gitlab_map, Source.JIRA: jira_map}


# --- the service --------------------------------------------------------------------------


@dataclass
class WebhookOutcome:
    status: str  # "processed", "duplicate", "ignored"
    work_items: int = 0
    deployments: int = 0


def _status_mapping(source: str) -> dict[str, str]:
    return {
        tool.lower(): flow
        for tool, flow in StatusMapping.objects.filter(source=source).values_list("tool_status", "flow_status")
    }


def _require(rows: list[dict], names: tuple[str, ...]) -> None:
    errors = {}
    for index, row in enumerate(rows):
        missing = {name: ["The payload does not say."] for name in names if not row.get(name)}
        if missing:
            errors[index] = missing
    if errors:
        raise BulkValidationError(errors)


@transaction.atomic
def webhook_receive(*, source: str, delivery_id: str, event: str, payload: dict) -> WebhookOutcome:
    """Process one verified delivery once. The delivery id is recorded in the same transaction
    as the rows, so a replay is a no-op and a delivery that failed may be retried.

    Raises `portfolio.services.delivery.BulkValidationError` when the mapped rows are invalid.
    """
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(source=source, delivery_id=delivery_id[:200])
    except IntegrityError:
        return WebhookOutcome(status="duplicate")
    mapped = ADAPTERS[source](event, payload, _status_mapping(source))
    if not (mapped.work_items or mapped.deployments):
        return WebhookOutcome(status="ignored")
    rule = SourceRule.objects.filter(source=source, pattern=mapped.location).values_list("value_stream_id", flat=True)
    value_stream_id = rule.first()
    if value_stream_id is None:
        logger.info("Webhook from %s %r ignored: no source rule maps it to a value stream.", source, mapped.location)
        return WebhookOutcome(status="ignored")
    for row in (*mapped.work_items, *mapped.deployments):
        row["value_stream_id"] = value_stream_id
    _require(mapped.work_items, ("external_id", "created_at"))
    _require(mapped.deployments, ("external_id", "deployed_at"))
    if mapped.work_items:
        work_items_upsert(rows=mapped.work_items)
    if mapped.deployments:
        deployments_upsert(rows=mapped.deployments)
    return WebhookOutcome(status="processed", work_items=len(mapped.work_items), deployments=len(mapped.deployments))
