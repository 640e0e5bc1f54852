"""Delivery data from the teams' tools, in one common model: work items, deployments, incidents.

Every row carries its `source` and the tool's `external_id`, unique together, so ingestion is an
idempotent upsert whichever path (bulk API, CSV, webhook) the row arrives by.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from portfolio.models.base import ValueStream
from portfolio.models.epics import MMP, Epic


class Source(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    JIRA = "jira", "Jira"
    PAGERDUTY = "pagerduty", "PagerDuty"
    CSV = "csv", "CSV import"
    MANUAL = "manual", "Manual"


class FlowItemType(models.TextChoices):
    FEATURE = "feature", "Feature"
    DEFECT = "defect", "Defect"
    RISK = "risk", "Risk"
    DEBT = "debt", "Debt"


class WorkItemStatus(models.TextChoices):
    NEW = "new", "New"
    ACTIVE = "active", "Active"
    WAITING = "waiting", "Waiting"
    DONE = "done", "Done"
    CANCELED = "canceled", "Canceled"


class WorkItem(models.Model):
    """A flow item (feature, defect, risk, debt) from a team's tool.

    `active_seconds` and `waiting_seconds` accumulate the time spent in each status category as
    status changes arrive, so flow efficiency is a plain aggregate rather than a replay of history.
    """

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="work_items")
    epic = models.ForeignKey(Epic, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_items")
    mmp = models.ForeignKey(MMP, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_items")
    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=200)
    title = models.CharField(max_length=500, blank=True)
    item_type = models.CharField(max_length=10, choices=FlowItemType.choices, default=FlowItemType.FEATURE)
    size = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.NEW)
    # The tool's own status name, lower case (Jira status, the GitHub/GitLab label or state that
    # decided `status`, the API's `tool_status`): value stream map stages are sets of these.
    tool_status = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    active_seconds = models.BigIntegerField(default=0)
    waiting_seconds = models.BigIntegerField(default=0)
    # When the tool last changed the row (its own timestamp, sent with the row): an incoming row
    # older than this one is a late or replayed event and changes nothing.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="work_item_unique_source_id"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="work_item_finished_after_started",
            ),
            models.CheckConstraint(
                condition=Q(active_seconds__gte=0) & Q(waiting_seconds__gte=0), name="work_item_times_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["value_stream", "status"], name="work_item_stream_status_idx"),
            models.Index(fields=["value_stream", "finished_at"], name="work_item_stream_finished_idx"),
            models.Index(fields=["epic", "status"], name="work_item_epic_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class WorkItemStatusChange(models.Model):
    """One status change of a work item, as the tool reported it (kept for active/waiting time)."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=WorkItemStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=WorkItemStatus.choices)
    # The tool status entered (lower case, "" when the source sends none): a move between two
    # tool statuses of the same flow status ("in dev" -> "in review") is a change too.
    tool_status = models.CharField(max_length=100, blank=True, default="")
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A replayed delivery of the same change is a no-op.
            models.UniqueConstraint(
                fields=["work_item", "changed_at", "to_status", "tool_status"], name="status_change_unique"
            ),
        ]
        ordering = ["work_item_id", "changed_at"]


class Deployment(models.Model):
    """A deployment of a value stream's software, for the DORA metrics."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="deployments")
    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=200)
    environment = models.CharField(max_length=60, default="production")
    # Repository (owner/name, lower case) the deployment shipped, when the tool says: the
    # first commit time of a deployment without one comes from the commits pushed to it.
    repository = models.CharField(max_length=200, blank=True, default="")
    deployed_at = models.DateTimeField()
    first_commit_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=True)
    # When the tool last changed the row (its own timestamp, sent with the row): an incoming row
    # older than this one is a late or replayed event and changes nothing.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="deployment_unique_source_id"),
        ]
        indexes = [models.Index(fields=["value_stream", "deployed_at"], name="deployment_stream_at_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class Commit(models.Model):
    """A commit pushed to a repository (GitHub push / workflow_run, GitLab push / pipeline).

    Kept so a production deployment that carries no first commit time gets one: the earliest
    commit pushed to its repository since the previous production deployment (lead time).
    """

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="commits")
    source = models.CharField(max_length=10, choices=Source.choices)
    repository = models.CharField(max_length=200, help_text="owner/name, lower case.")
    sha = models.CharField(max_length=64)
    authored_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(help_text="When the push reached us (or the tool says it happened).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "repository", "sha"], name="commit_unique_source_repo_sha"),
        ]
        indexes = [
            models.Index(fields=["value_stream", "repository", "pushed_at"], name="commit_stream_repo_pushed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.repository}@{self.sha[:8]}"


class DeploymentLink(models.TextChoices):
    """Where an incident's link to the deployment that caused it came from."""

    NONE = "", "Not linked"
    EXPLICIT = "explicit", "Given by the source"
    LAST_BEFORE_OPENED = "last_before", "Last production deployment before it opened"


class Incident(models.Model):
    """A production incident, optionally caused by a deployment (change failure)."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="incidents")
    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=200)
    title = models.CharField(max_length=500, blank=True)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    deployment = models.ForeignKey(
        Deployment, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    deployment_link = models.CharField(max_length=12, choices=DeploymentLink.choices, blank=True, default="")
    # When the tool last changed the row (its own timestamp, sent with the row): an incoming row
    # older than this one is a late or replayed event and changes nothing.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="incident_unique_source_id"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
                name="incident_resolved_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["value_stream", "opened_at"], name="incident_stream_opened_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class StatusMapping(models.Model):
    """Maps a tool's status name (per source) to a flow status category."""

    source = models.CharField(max_length=10, choices=Source.choices)
    tool_status = models.CharField(max_length=100)
    flow_status = models.CharField(max_length=10, choices=WorkItemStatus.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "tool_status"], name="status_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.tool_status} -> {self.flow_status}"


class SourceRule(models.Model):
    """Assigns rows from a repository or project (per source) to a value stream."""

    source = models.CharField(max_length=10, choices=Source.choices)
    pattern = models.CharField(
        max_length=200, help_text="Repository (owner/name), project key or PagerDuty service id; any case."
    )
    value_stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="source_rules")
    reports_incidents = models.BooleanField(
        default=False,
        help_text="This repository or project reports the stream's incidents (PagerDuty rules always do). "
        "Without an incident source, change failure rate and recovery time are 'no data', never zero.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("pattern"), "source", name="source_rule_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.pattern} -> {self.value_stream_id}"


class WebhookDelivery(models.Model):
    """A webhook delivery already processed, so a replay changes nothing."""

    source = models.CharField(max_length=10, choices=Source.choices)
    delivery_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "delivery_id"], name="webhook_delivery_unique")]


class ParkedDelivery(models.Model):
    """A verified delivery that no `SourceRule` maps to a value stream: kept, not dropped.

    Directors see them at /delivery/parked/; adding a rule for the location replays them (and
    deletes them once processed). A redelivery of a parked id is processed again, not refused
    as a duplicate, because a parked delivery is never recorded as a `WebhookDelivery`.
    """

    source = models.CharField(max_length=10, choices=Source.choices)
    delivery_id = models.CharField(max_length=200)
    event = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="Repository, project or service.")
    payload = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "delivery_id"], name="parked_delivery_unique")]
        indexes = [models.Index(fields=["source", "location"], name="parked_source_location_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.location} {self.event}"


class DoraLevel(models.TextChoices):
    ELITE = "elite", "Elite"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class DeploymentDaysPeriod(models.TextChoices):
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    WINDOW = "window", "Window (up to six months)"


class DoraBenchmark(models.Model):
    """One performance level of one DORA benchmark vintage (2021, 2023, 2024), stored as data.

    A metric reaches a level when it meets that level's threshold; the best level met wins
    (`rank` 1 is elite). A null threshold means "anything" (the low level's catch-all). The
    vintage in use is the `DORA_BENCHMARK` setting. Thresholds: deployment frequency is graded on
    deployment DAYS, the way the DORA buckets read: the median number of deployment days per
    `deployment_days_period` (week, month, or the whole window for "at least once every six
    months") at least `deployment_days_min`; `deploys_per_week_min` is the old average-based
    threshold, kept for reference only; lead time and recovery time strictly under their `*_hours_max`;
    change failure rate at most `change_failure_rate_max` (2024's table is non-monotonic on
    that metric, as the report is: the best level met still wins).
    """

    vintage = models.CharField(max_length=4)
    level = models.CharField(max_length=6, choices=DoraLevel.choices)
    rank = models.PositiveSmallIntegerField()
    deploys_per_week_min = models.FloatField(null=True, blank=True)
    deployment_days_period = models.CharField(max_length=10, choices=DeploymentDaysPeriod.choices, blank=True)
    deployment_days_min = models.PositiveSmallIntegerField(null=True, blank=True)
    lead_time_hours_max = models.FloatField(null=True, blank=True)
    change_failure_rate_max = models.FloatField(null=True, blank=True)
    recovery_hours_max = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["vintage", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["vintage", "level"], name="dora_benchmark_unique_level"),
            models.UniqueConstraint(fields=["vintage", "rank"], name="dora_benchmark_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"DORA {self.vintage} {self.level}"


class DeliveryImportKind(models.TextChoices):
    WORK_ITEMS = "work_items", "Work items"
    DEPLOYMENTS = "deployments", "Deployments"
    INCIDENTS = "incidents", "Incidents"


class DeliveryImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class DeliveryImport(models.Model):
    """An uploaded CSV of delivery data, imported by a task that takes this row's id.

    The file's text is kept here so the worker (maybe on another machine) can read it; the
    import is all or nothing, and `result` holds the counts or the per-row errors. A pending row
    is also the task's outbox: a worker that starts picks up pending imports whose message was
    never sent (broker down at upload time).
    """

    kind = models.CharField(max_length=12, choices=DeliveryImportKind.choices)
    value_stream = models.ForeignKey(
        ValueStream, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="delivery_imports"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    task_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=DeliveryImportStatus.choices, default=DeliveryImportStatus.PENDING)
    result = models.JSONField(default=dict, blank=True)
    # Progress as the task writes it, so the page polls the database, never the result backend.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.id}"
