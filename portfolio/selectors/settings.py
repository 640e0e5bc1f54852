"""Reads of the settings pages: each list one query (managers aggregated, not fetched per row)."""

from django.db.models import QuerySet

from portfolio.models import Quarter, SettingChange, SourceRule, StatusMapping, ValueStream


def settings_value_streams() -> QuerySet[ValueStream]:
    """Every value stream, archived included, with its managers prefetched (two queries)."""
    return ValueStream.objects.prefetch_related("managers")


def settings_quarters() -> QuerySet[Quarter]:
    return Quarter.objects.order_by("-start")


def settings_source_rules() -> QuerySet[SourceRule]:
    return SourceRule.objects.select_related("value_stream").order_by("source", "pattern")


def settings_status_mappings() -> QuerySet[StatusMapping]:
    return StatusMapping.objects.order_by("source", "tool_status")


def setting_changes(*, kind: str | None = None) -> QuerySet[SettingChange]:
    """The audit log, newest first, with who made each change (one query)."""
    rows = SettingChange.objects.select_related("by")
    return rows.filter(kind=kind) if kind else rows
