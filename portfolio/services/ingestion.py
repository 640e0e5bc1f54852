"""Webhook ingestion: verify the sender, map the tool's payload to our rows, upsert once.

Adapters are plain functions from a parsed payload to rows of the common model; they never
write. `webhook_receive` records the delivery id and upserts in one transaction, so a replayed
delivery (same id) changes nothing and a failed one can be sent again.

Tool statuses map to flow statuses through `StatusMapping` rows per source (an admin edits
them); without a mapping a tool's own status category decides (GitHub open/closed, GitLab
opened/closed/merged, Jira's status category). Repositories and projects map to value streams
through `SourceRule` rows, matched case-insensitively; a delivery from an unmapped location is
PARKED (kept with its payload, not recorded as processed), shown to directors and replayed when a
rule for it is added, so nothing is lost and a redelivery of its id is processed normally.

Besides work items and deployments, deliveries record commits (GitHub push / workflow_run,
GitLab push / pipeline: the first commit time of a later production deployment) and incidents
(GitHub issues with the incident label, GitLab incident issues and alerts, Jira issues of the
incident type, PagerDuty v3 incident events).

Hostile or broken senders: every payload is checked against a schema per source and event
(types, integer ranges, dates between 2000 and a day after receipt) before an adapter reads it,
and a payload that still trips an adapter is refused the same way (`PayloadInvalid`, a 400,
logged), never a 500. Replays: besides the delivery id (an unsigned header), the hash of the
signed body is recorded, so the same body under a new delivery id is a duplicate; and each row
carries the tool's own timestamp of the event (`updated_at`), so the upsert can keep a newer
state over an older event that arrives late.
"""

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portfolio.models import (
    Epic,
    FlowItemType,
    ParkedDelivery,
    Source,
    SourceRule,
    StatusMapping,
    ValueStream,
    WebhookDelivery,
    WorkItemStatus,
)
from portfolio.services.delivery import (
    BulkValidationError,
    commits_upsert,
    deployments_upsert,
    incidents_upsert,
    work_items_upsert,
)

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


def verify_pagerduty(*, secret: str, body: bytes, header: str | None) -> None:
    """PagerDuty v3's `X-PagerDuty-Signature`: one or more `v1=<hex HMAC-SHA256 of body>`,
    comma-separated (several while a secret is being rotated); one must match."""
    if not header:
        raise SignatureMissing("signature header missing")
    if not secret:
        raise SignatureInvalid("no secret configured for this source")
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected.encode(), sig.strip().encode()) for sig in header.split(",")):
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
    """What a delivery means for us: a repository/project key (lower case) and rows per kind."""

    location: str = ""
    work_items: list[dict] = field(default_factory=list)
    deployments: list[dict] = field(default_factory=list)
    commits: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.work_items or self.deployments or self.commits or self.incidents)


def _dt(value, *, seconds: bool = False):
    if not value:
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value if seconds else value / 1000, tz=dt.UTC)
    text = str(value).strip().replace(" UTC", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1).replace(" ", "")
    return parse_datetime(text)


# --- payload schemas ---------------------------------------------------------------------------


class PayloadInvalid(ValueError):
    """A verified delivery whose payload does not have the shape its event promises (400)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = errors


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_AHEAD = dt.timedelta(days=1)
MAX_ID = 2**63 - 1


def _check_time(value, received_at: dt.datetime, *, seconds: bool = False) -> str:
    """'' when `value` is a date-time (ISO text, or a Unix timestamp where the tool sends one)
    between 2000 and a day after receipt; else the message."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "must be a date-time"
    try:
        parsed = _dt(value, seconds=seconds)
    except (ValueError, OverflowError, OSError):
        parsed = None
    if parsed is None:
        return "must be a date-time"
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    if not EARLIEST <= parsed <= received_at + LATEST_AHEAD:
        return f"must be between {EARLIEST.date()} and a day from now"
    return ""


def _check(value, kind: str, received_at: dt.datetime) -> str:
    if kind == "str":
        return "" if isinstance(value, str) else "must be a string"
    if kind == "id":  # an id tools send as a number or a string
        if isinstance(value, bool) or not isinstance(value, str | int):
            return "must be an integer or a string"
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            return "is out of range"
        return ""
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be an integer"
        return "" if 0 <= value <= MAX_ID else "is out of range"
    if kind == "bool":
        return "" if isinstance(value, bool) else "must be true or false"
    if kind == "object":
        return "" if isinstance(value, dict) else "must be an object"
    if kind == "list":
        return "" if isinstance(value, list) else "must be a list"
    if kind == "time":
        return _check_time(value, received_at)
    if kind == "time_s":
        return _check_time(value, received_at, seconds=True)
    raise AssertionError(kind)


def _at(payload, path: str):
    """(shown path, value) for each value present (not null) at `path`; `[]` walks a list.
    Parents are checked first by the schema, so a walk meets only the shapes it expects."""
    nodes = [("", payload)]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part[:-2] if many else part
        found = []
        for shown, node in nodes:
            if not isinstance(node, dict) or node.get(name) is None:
                continue
            value, here = node[name], f"{shown}.{name}" if shown else name
            if many:
                if isinstance(value, list):
                    found.extend((f"{here}[{i}]", item) for i, item in enumerate(value))
            else:
                found.append((here, value))
        nodes = found
    return nodes


_GITHUB_REPO = {"repository": "object", "repository.full_name": "str", "repository.default_branch": "str"}
_GITHUB_ITEM = {
    "number": "int",
    "title": "str",
    "state": "str",
    "state_reason": "str",
    "labels": "list",
    "labels[]": "object",
    "labels[].name": "str",
    "created_at": "time",
    "updated_at": "time",
    "closed_at": "time",
    "merged_at": "time",
}
_GITLAB_PROJECT = {"project": "object", "project.path_with_namespace": "str", "project.default_branch": "str"}
_GITLAB_ATTRS = {
    "object_attributes": "object",
    "object_attributes.iid": "int",
    "object_attributes.id": "int",
    "object_attributes.title": "str",
    "object_attributes.state": "str",
    "object_attributes.status": "str",
    "object_attributes.action": "str",
    "object_attributes.issue_type": "str",
    "object_attributes.type": "str",
    "object_attributes.labels": "list",
    "object_attributes.labels[]": "object",
    "object_attributes.labels[].title": "str",
    "object_attributes.created_at": "time",
    "object_attributes.updated_at": "time",
    "object_attributes.closed_at": "time",
    "object_attributes.merged_at": "time",
    "object_attributes.started_at": "time",
    "object_attributes.ended_at": "time",
    "labels": "list",
    "labels[]": "object",
    "labels[].title": "str",
}
_COMMITS = {"commits": "list", "commits[]": "object", "commits[].id": "str", "commits[].timestamp": "time"}

# Per source, then per event ("*": every event): path -> kind. Paths absent or null pass (the
# required ones are checked after mapping, with their own message); present ones must match.
SCHEMAS: dict[str, dict[str, dict[str, str]]] = {
    Source.GITHUB: {
        "*": {"action": "str", **_GITHUB_REPO},
        "issues": {"issue": "object", **{f"issue.{k}": v for k, v in _GITHUB_ITEM.items()}},
        "pull_request": {"pull_request": "object", **{f"pull_request.{k}": v for k, v in _GITHUB_ITEM.items()}},
        "deployment_status": {
            "deployment_status": "object",
            "deployment_status.state": "str",
            "deployment_status.created_at": "time",
            "deployment": "object",
            "deployment.id": "id",
            "deployment.environment": "str",
            "deployment.created_at": "time",
        },
        "push": {"ref": "str", "repository.pushed_at": "time_s", **_COMMITS},
        "workflow_run": {
            "workflow_run": "object",
            "workflow_run.created_at": "time",
            "workflow_run.head_commit": "object",
            "workflow_run.head_commit.id": "str",
            "workflow_run.head_commit.timestamp": "time",
        },
    },
    Source.GITLAB: {
        "*": {"object_kind": "str", **_GITLAB_PROJECT},
        "issue": _GITLAB_ATTRS,
        "merge_request": _GITLAB_ATTRS,
        "work_item": _GITLAB_ATTRS,
        "alert": _GITLAB_ATTRS,
        "deployment": {
            "status": "str",
            "deployment_id": "id",
            "environment": "str",
            "environment_tier": "str",
            "status_changed_at": "time",
        },
        "push": {"ref": "str", **_COMMITS},
        "pipeline": {
            "object_attributes": "object",
            "object_attributes.created_at": "time",
            "commit": "object",
            "commit.id": "str",
            "commit.timestamp": "time",
        },
    },
    Source.JIRA: {
        "*": {
            "webhookEvent": "str",
            "timestamp": "time",
            "issue": "object",
            "issue.key": "str",
            "issue.fields": "object",
            "issue.fields.summary": "str",
            "issue.fields.labels": "list",
            "issue.fields.labels[]": "str",
            "issue.fields.created": "time",
            "issue.fields.updated": "time",
            "issue.fields.resolutiondate": "time",
            "issue.fields.project": "object",
            "issue.fields.project.key": "str",
            "issue.fields.status": "object",
            "issue.fields.status.name": "str",
            "issue.fields.status.statusCategory": "object",
            "issue.fields.status.statusCategory.key": "str",
            "issue.fields.issuetype": "object",
            "issue.fields.issuetype.name": "str",
            "issue.fields.parent": "object",
            "issue.fields.parent.key": "str",
            "issue.fields.parent.fields": "object",
            "issue.fields.parent.fields.issuetype": "object",
            "issue.fields.parent.fields.issuetype.name": "str",
            "issue.fields.customfield_10014": "str",
        },
    },
    Source.PAGERDUTY: {
        "*": {
            "event": "object",
            "event.id": "str",
            "event.event_type": "str",
            "event.occurred_at": "time",
            "event.data": "object",
            "event.data.id": "str",
            "event.data.type": "str",
            "event.data.title": "str",
            "event.data.status": "str",
            "event.data.created_at": "time",
            "event.data.service": "object",
            "event.data.service.id": "str",
        },
    },
}


def _schema_event(source: str, event: str, payload: dict) -> str:
    # GitLab names the kind in the body; the others in a header.
    return str(payload.get("object_kind", "")) if source == Source.GITLAB else event


def payload_validate(*, source: str, event: str, payload: dict, received_at: dt.datetime) -> None:
    """Raise PayloadInvalid naming each field whose type, range or date is wrong."""
    schemas = SCHEMAS.get(source, {})
    rules = {**schemas.get("*", {}), **schemas.get(_schema_event(source, event, payload), {})}
    errors: dict[str, str] = {}
    # Shorter paths first: a parent of the wrong type is reported once, its children not walked.
    for path, kind in sorted(rules.items(), key=lambda item: item[0].count(".")):
        for shown, value in _at(payload, path):
            message = _check(value, kind, received_at)
            if message and not any(shown.startswith(f"{bad}.") or shown.startswith(f"{bad}[") for bad in errors):
                errors[shown] = message
        if len(errors) >= 20:
            break
    if errors:
        raise PayloadInvalid(errors)


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


def _tool_status(candidates: list[str], mapping: dict[str, str], fallback: str) -> str:
    """The tool's own status name: the candidate a mapping matched (the one that decided the flow
    status), else the fallback (the tool's state or status name); value stream map stages use it."""
    for name in candidates:
        if name and name.lower() in mapping:
            return name.lower()
    return (fallback or "").lower()


def _work_item(*, source, external_id, title, item_type, status, created, updated, closed, tool_status="") -> dict:
    row = {
        "source": source,
        "external_id": external_id,
        "title": (title or "")[:500],
        "item_type": item_type,
        "status": status,
        "tool_status": tool_status[:100],
        "created_at": created,
        # The tool's own time of this state: the upsert keeps a newer one over a late older event.
        "source_updated_at": updated or closed or created,
    }
    if status == WorkItemStatus.DONE:
        row["finished_at"] = closed or updated or created
    if updated and status != WorkItemStatus.NEW:
        row["status_changed_at"] = closed if status == WorkItemStatus.DONE and closed else updated
    return row


def _environment(name: str, tier: str = "") -> str:
    """'production' for a production environment (by GitLab's tier when given, else by name)."""
    if (tier or "").lower() == "production" or (name or "").lower() in {"production", "prod", "live"}:
        return "production"
    return (name or "")[:60]


def _incident_label() -> str:
    return getattr(settings, "WEBHOOK_INCIDENT_LABEL", "incident").lower()


def _incident_issue_type() -> str:
    return getattr(settings, "WEBHOOK_INCIDENT_ISSUE_TYPE", "Incident").lower()


def _incident(*, source, external_id, title, opened, resolved, updated=None) -> dict:
    return {
        "source": source,
        "external_id": external_id,
        "title": (title or "")[:500],
        "opened_at": opened,
        "resolved_at": resolved,
        "source_updated_at": updated or resolved or opened,
    }


def _commit(*, source, repository, sha, authored, committed, pushed) -> dict:
    return {
        "source": source,
        "repository": repository,
        "sha": sha,
        "authored_at": authored,
        "committed_at": committed,
        "pushed_at": pushed or authored,
    }


def github_map(event: str, payload: dict, mapping: dict[str, str], received_at: dt.datetime) -> Mapped:
    repository = payload.get("repository") or {}
    repo = repository.get("full_name", "").lower()
    mapped = Mapped(location=repo)
    action = payload.get("action", "")
    if event in ("issues", "pull_request"):
        obj = payload.get("issue" if event == "issues" else "pull_request") or {}
        labels = [label.get("name", "") for label in obj.get("labels") or []]
        state = obj.get("state", "")
        if action in ("deleted", "transferred"):
            # Gone from this repository: never delivered work here.
            default = WorkItemStatus.CANCELED
        elif state == "closed" and (
            obj.get("state_reason") == "not_planned" or (event == "pull_request" and not obj.get("merged_at"))
        ):
            default = WorkItemStatus.CANCELED
        elif state == "closed":
            default = WorkItemStatus.DONE
        else:
            # An open pull request is work in progress; an open issue is not started yet.
            default = WorkItemStatus.ACTIVE if event == "pull_request" else WorkItemStatus.NEW
        status = default if default == WorkItemStatus.CANCELED else _status([*labels, state], mapping, default)
        sign = "#" if event == "issues" else "!"
        external_id = f"{repo}{sign}{obj.get('number')}"
        mapped.work_items.append(
            _work_item(
                source=Source.GITHUB,
                external_id=external_id,
                title=obj.get("title"),
                item_type=_item_type(labels),
                status=status,
                tool_status=_tool_status([*labels, state], mapping, state),
                created=_dt(obj.get("created_at")),
                updated=_dt(obj.get("updated_at")),
                closed=_dt(obj.get("merged_at") or obj.get("closed_at")),
            )
        )
        if event == "issues" and _incident_label() in {label.lower() for label in labels} and status != "canceled":
            mapped.incidents.append(
                _incident(
                    source=Source.GITHUB,
                    external_id=external_id,
                    title=obj.get("title"),
                    opened=_dt(obj.get("created_at")),
                    resolved=_dt(obj.get("closed_at")) if state == "closed" else None,
                    updated=_dt(obj.get("updated_at")),
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
                    "repository": repo,
                    "deployed_at": _dt(status.get("created_at") or deployment.get("created_at")),
                    "succeeded": state == "success",
                    "source_updated_at": _dt(status.get("created_at") or deployment.get("created_at")),
                }
            )
    elif event == "push":
        # Commits reaching the default branch (the one production deploys from).
        default_branch = repository.get("default_branch") or repository.get("master_branch") or ""
        if not default_branch or payload.get("ref") == f"refs/heads/{default_branch}":
            pushed = _dt(repository.get("pushed_at"), seconds=True) or received_at
            for commit in payload.get("commits") or []:
                mapped.commits.append(
                    _commit(
                        source=Source.GITHUB,
                        repository=repo,
                        sha=commit.get("id", ""),
                        authored=_dt(commit.get("timestamp")),
                        committed=_dt(commit.get("timestamp")),
                        pushed=pushed,
                    )
                )
    elif event == "workflow_run":
        run = payload.get("workflow_run") or {}
        head = run.get("head_commit") or {}
        if head.get("id"):
            mapped.commits.append(
                _commit(
                    source=Source.GITHUB,
                    repository=repo,
                    sha=head["id"],
                    authored=_dt(head.get("timestamp")),
                    committed=_dt(head.get("timestamp")),
                    pushed=_dt(run.get("created_at")) or received_at,
                )
            )
    return mapped


def gitlab_map(event: str, payload: dict, mapping: dict[str, str], received_at: dt.datetime) -> Mapped:
    project_obj = payload.get("project") or {}
    project = project_obj.get("path_with_namespace", "").lower()
    mapped = Mapped(location=project)
    kind = payload.get("object_kind", "")
    if kind in ("issue", "merge_request", "work_item"):
        attrs = payload.get("object_attributes") or {}
        labels = [label.get("title", "") for label in payload.get("labels") or attrs.get("labels") or []]
        state = attrs.get("state", "")
        default = {
            "closed": WorkItemStatus.DONE if kind != "merge_request" else WorkItemStatus.CANCELED,
            "merged": WorkItemStatus.DONE,
            "locked": WorkItemStatus.WAITING,
        }.get(state, WorkItemStatus.ACTIVE if kind == "merge_request" else WorkItemStatus.NEW)
        if attrs.get("action") in ("delete", "deleted", "transfer", "transferred"):
            default = WorkItemStatus.CANCELED
        status = default if default == WorkItemStatus.CANCELED else _status([*labels, state], mapping, default)
        sign = "!" if kind == "merge_request" else "#"
        external_id = f"{project}{sign}{attrs.get('iid')}"
        issue_type = str(attrs.get("issue_type") or attrs.get("type") or "").lower()
        mapped.work_items.append(
            _work_item(
                source=Source.GITLAB,
                external_id=external_id,
                title=attrs.get("title"),
                item_type=_item_type([*labels, issue_type]),
                status=status,
                tool_status=_tool_status([*labels, state], mapping, state),
                created=_dt(attrs.get("created_at")),
                updated=_dt(attrs.get("updated_at")),
                closed=_dt(attrs.get("closed_at") or attrs.get("merged_at")),
            )
        )
        if kind != "merge_request" and issue_type == "incident" and status != WorkItemStatus.CANCELED:
            mapped.incidents.append(
                _incident(
                    source=Source.GITLAB,
                    external_id=external_id,
                    title=attrs.get("title"),
                    opened=_dt(attrs.get("created_at")),
                    resolved=_dt(attrs.get("closed_at") or attrs.get("updated_at")) if state == "closed" else None,
                    updated=_dt(attrs.get("updated_at")),
                )
            )
    elif kind == "alert":
        attrs = payload.get("object_attributes") or {}
        status = str(attrs.get("status", "")).lower()
        mapped.incidents.append(
            _incident(
                source=Source.GITLAB,
                external_id=f"{project}^{attrs.get('iid') or attrs.get('id')}",
                title=attrs.get("title"),
                opened=_dt(attrs.get("started_at") or attrs.get("created_at")),
                resolved=_dt(attrs.get("ended_at") or attrs.get("updated_at")) if status == "resolved" else None,
                updated=_dt(attrs.get("updated_at")),
            )
        )
    elif kind == "deployment":
        state = payload.get("status", "")
        if state in ("success", "failed", "canceled"):
            mapped.deployments.append(
                {
                    "source": Source.GITLAB,
                    "external_id": f"{project}:{payload.get('deployment_id')}",
                    "environment": _environment(payload.get("environment", ""), payload.get("environment_tier", "")),
                    "repository": project,
                    "deployed_at": _dt(payload.get("status_changed_at")),
                    "succeeded": state == "success",
                    "source_updated_at": _dt(payload.get("status_changed_at")),
                }
            )
    elif kind == "push":
        default_branch = project_obj.get("default_branch") or ""
        if not default_branch or payload.get("ref") == f"refs/heads/{default_branch}":
            for commit in payload.get("commits") or []:
                mapped.commits.append(
                    _commit(
                        source=Source.GITLAB,
                        repository=project,
                        sha=commit.get("id", ""),
                        authored=_dt(commit.get("timestamp")),
                        committed=_dt(commit.get("timestamp")),
                        pushed=received_at,
                    )
                )
    elif kind == "pipeline":
        attrs = payload.get("object_attributes") or {}
        commit = payload.get("commit") or {}
        if commit.get("id"):
            mapped.commits.append(
                _commit(
                    source=Source.GITLAB,
                    repository=project,
                    sha=commit["id"],
                    authored=_dt(commit.get("timestamp")),
                    committed=_dt(commit.get("timestamp")),
                    pushed=_dt(attrs.get("created_at")) or received_at,
                )
            )
    return mapped


JIRA_CATEGORY = {"new": WorkItemStatus.NEW, "indeterminate": WorkItemStatus.ACTIVE, "done": WorkItemStatus.DONE}


def jira_map(event: str, payload: dict, mapping: dict[str, str], received_at: dt.datetime) -> Mapped:
    issue = payload.get("issue") or {}
    fields = issue.get("fields") or {}
    project = (fields.get("project") or {}).get("key", "").lower()
    mapped = Mapped(location=project)
    webhook_event = payload.get("webhookEvent")
    if webhook_event not in ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted"):
        return mapped
    status_obj = fields.get("status") or {}
    category = (status_obj.get("statusCategory") or {}).get("key", "new")
    status = _status([status_obj.get("name", "")], mapping, JIRA_CATEGORY.get(category, WorkItemStatus.NEW))
    if webhook_event == "jira:issue_deleted":
        status = WorkItemStatus.CANCELED
    issue_type = (fields.get("issuetype") or {}).get("name", "")
    # The epic: the parent when it is an epic (team-managed and newer company-managed projects),
    # else the classic "Epic Link" field.
    parent = fields.get("parent") or {}
    parent_type = ((parent.get("fields") or {}).get("issuetype") or {}).get("name", "")
    epic_key = parent.get("key") if parent_type.lower() == "epic" else fields.get("customfield_10014")
    when = _dt(payload.get("timestamp"))
    row = _work_item(
        source=Source.JIRA,
        external_id=issue.get("key", ""),
        title=fields.get("summary"),
        item_type=_item_type([issue_type, *(fields.get("labels") or [])]),
        status=status,
        tool_status=str(status_obj.get("name", "")).lower(),
        created=_dt(fields.get("created")),
        updated=_dt(fields.get("updated")) or when,
        closed=_dt(fields.get("resolutiondate")),
    )
    if epic_key:
        row["epic_key"] = str(epic_key)
    mapped.work_items.append(row)
    if issue_type.lower() == _incident_issue_type() and status != WorkItemStatus.CANCELED:
        mapped.incidents.append(
            _incident(
                source=Source.JIRA,
                external_id=issue.get("key", ""),
                title=fields.get("summary"),
                opened=_dt(fields.get("created")),
                resolved=_dt(fields.get("resolutiondate")) if category == "done" else None,
                updated=_dt(fields.get("updated")) or when,
            )
        )
    return mapped


def pagerduty_map(event: str, payload: dict, mapping: dict[str, str], received_at: dt.datetime) -> Mapped:
    """PagerDuty v3: `incident.triggered` opens, `incident.resolved` resolves; the service id is
    the location a source rule maps."""
    envelope = payload.get("event") or {}
    data = envelope.get("data") or {}
    service = (data.get("service") or {}).get("id", "")
    mapped = Mapped(location=service.lower())
    event_type = envelope.get("event_type", "")
    if data.get("type") != "incident" or not event_type.startswith("incident."):
        return mapped
    resolved = data.get("status") == "resolved" or event_type == "incident.resolved"
    mapped.incidents.append(
        _incident(
            source=Source.PAGERDUTY,
            external_id=data.get("id", ""),
            title=data.get("title"),
            opened=_dt(data.get("created_at")),
            resolved=_dt(envelope.get("occurred_at")) if resolved else None,
            updated=_dt(envelope.get("occurred_at")),
        )
    )
    return mapped


ADAPTERS = {
    Source.GITHUB: github_map,
    Source.GITLAB: gitlab_map,
    Source.JIRA: jira_map,
    Source.PAGERDUTY: pagerduty_map,
}


# --- the service --------------------------------------------------------------------------


@dataclass
class WebhookOutcome:
    status: str  # "processed", "duplicate", "ignored", "parked"
    work_items: int = 0
    deployments: int = 0
    commits: int = 0
    incidents: int = 0


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


def _rule_for(source: str, location: str) -> int | None:
    if not location:
        return None
    rule = SourceRule.objects.filter(source=source, pattern__iexact=location).values_list("value_stream_id", flat=True)
    return rule.first()


def _link_epics(rows: list[dict], value_stream_id: int) -> None:
    """Jira's epic key -> our epic of the same key in the stream (one query for the batch)."""
    keys = {row["epic_key"].upper() for row in rows if row.get("epic_key")}
    epics = (
        {
            key.upper(): pk
            for pk, key in Epic.objects.filter(value_stream_id=value_stream_id, key__in=keys).values_list("id", "key")
        }
        if keys
        else {}
    )
    for row in rows:
        key = row.pop("epic_key", None)
        if key and key.upper() in epics:
            row["epic_id"] = epics[key.upper()]


def _write(source: str, mapped: Mapped, value_stream_id: int) -> WebhookOutcome:
    for row in (*mapped.work_items, *mapped.deployments, *mapped.commits, *mapped.incidents):
        row["value_stream_id"] = value_stream_id
    _require(mapped.work_items, ("external_id", "created_at"))
    _require(mapped.deployments, ("external_id", "deployed_at"))
    _require(mapped.commits, ("sha", "authored_at"))
    _require(mapped.incidents, ("external_id", "opened_at"))
    _link_epics(mapped.work_items, value_stream_id)
    if mapped.work_items:
        work_items_upsert(rows=mapped.work_items)
    if mapped.deployments:
        deployments_upsert(rows=mapped.deployments)
    if mapped.commits:
        commits_upsert(rows=mapped.commits)
    if mapped.incidents:
        incidents_upsert(rows=mapped.incidents)
    return WebhookOutcome(
        status="processed",
        work_items=len(mapped.work_items),
        deployments=len(mapped.deployments),
        commits=len(mapped.commits),
        incidents=len(mapped.incidents),
    )


def _map(source: str, event: str, payload: dict, received_at: dt.datetime) -> Mapped:
    """Validate, then run the source's adapter; any payload that still trips the adapter is a
    PayloadInvalid (logged), never an unhandled error."""
    payload_validate(source=source, event=event, payload=payload, received_at=received_at)
    try:
        return ADAPTERS[source](event, payload, _status_mapping(source), received_at)
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError, OSError) as exc:
        logger.warning("Webhook from %s (%s): payload the adapter cannot read: %r", source, event, exc)
        raise PayloadInvalid({"payload": "does not have the shape this event's payload has"}) from exc


def payload_preview(*, source: str, event: str, payload: dict, received_at: dt.datetime) -> tuple[Mapped, int | None]:
    """What `webhook_receive` would map this payload to, writing nothing: the adapter's rows
    (with the status mappings applied) and the value stream a source rule gives (None: parked).
    The settings page's "test this payload" runs exactly the receiving path's steps."""
    mapped = _map(source, event, payload, received_at)
    return mapped, _rule_for(source, mapped.location) if mapped else None


BODY_KEY_PREFIX = "body:"


@transaction.atomic
def webhook_receive(
    *,
    source: str,
    delivery_id: str,
    event: str,
    payload: dict,
    received_at: dt.datetime | None = None,
    body_sha256: str = "",
) -> WebhookOutcome:
    """Process one verified delivery once. The delivery id, and the hash of the signed body when
    given, are recorded in the same transaction as the rows, so a replay (same id, or the same
    signed body under a new id) is a no-op and a delivery that failed may be retried. A
    delivery no rule maps is parked (not recorded as processed), so its redelivery or a new
    rule replays it.

    Raises `PayloadInvalid` when the payload does not match its event's schema and
    `portfolio.services.delivery.BulkValidationError` when the mapped rows are invalid.
    """
    received_at = received_at or timezone.now()
    delivery_id = delivery_id[:200]
    keys = [delivery_id] + ([f"{BODY_KEY_PREFIX}{body_sha256}"] if body_sha256 else [])
    if WebhookDelivery.objects.filter(source=source, delivery_id__in=keys).exists():
        return WebhookOutcome(status="duplicate")
    mapped = _map(source, event, payload, received_at)
    if not mapped:
        for key in keys:
            WebhookDelivery.objects.get_or_create(source=source, delivery_id=key)
        return WebhookOutcome(status="ignored")
    value_stream_id = _rule_for(source, mapped.location)
    if value_stream_id is None:
        ParkedDelivery.objects.update_or_create(
            source=source,
            delivery_id=delivery_id,
            defaults={
                "event": event[:100],
                "location": mapped.location[:200],
                "payload": payload,
                "received_at": received_at,
            },
        )
        logger.info("Webhook from %s %r parked: no source rule maps it to a value stream.", source, mapped.location)
        return WebhookOutcome(status="parked")
    # The unique constraint settles two concurrent deliveries of the same id: the second waits
    # for the first's transaction, then fails here and answers "duplicate" having written nothing.
    try:
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create([WebhookDelivery(source=source, delivery_id=key) for key in keys])
    except IntegrityError:
        return WebhookOutcome(status="duplicate")
    outcome = _write(source, mapped, value_stream_id)
    ParkedDelivery.objects.filter(source=source, delivery_id=delivery_id).delete()
    return outcome


@transaction.atomic
def parked_replay(*, source: str, pattern: str) -> int:
    """Replay the parked deliveries of a location (a rule for it was just added), oldest first;
    returns how many were processed. Each is processed as if it arrived now with its old date."""
    parked = list(ParkedDelivery.objects.filter(source=source, location__iexact=pattern).order_by("received_at", "id"))
    done = 0
    for delivery in parked:  # the parked deliveries of one location, each one service call
        outcome = webhook_receive(
            source=delivery.source,
            delivery_id=delivery.delivery_id,
            event=delivery.event,
            payload=delivery.payload,
            received_at=delivery.received_at,
        )
        done += outcome.status == "processed"
    return done


@transaction.atomic
def source_rule_add(*, source: str, pattern: str, value_stream: ValueStream, reports_incidents: bool = False) -> int:
    """Map a repository / project / service to a value stream and replay what was parked for it.
    Returns the number of deliveries replayed."""
    rule = SourceRule(
        source=source, pattern=pattern.strip(), value_stream=value_stream, reports_incidents=reports_incidents
    )
    rule.full_clean()
    rule.save()
    return parked_replay(source=source, pattern=rule.pattern)
