"""Reads of the settings pages: each list one query (managers aggregated, not fetched per row)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portfolio.models import (
    DoraBenchmark,
    OrgSettings,
    Quarter,
    SettingChange,
    SourceRule,
    StatusMapping,
    ValueStream,
)


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


def org_settings() -> OrgSettings:
    """The installation's display settings (an unsaved default row when none was saved)."""
    return OrgSettings.objects.filter(id=1).first() or OrgSettings(id=1)


def currency_label() -> str:
    """How pages label amounts: the director's choice, else the CURRENCY setting (one query)."""
    chosen = OrgSettings.objects.filter(id=1).values_list("currency_display", flat=True).first()
    return chosen or settings.CURRENCY


def dora_vintage_expression():
    """The DORA benchmark vintage in use as an SQL expression: the director's choice, else the
    DORA_BENCHMARK setting. An expression, so the benchmark's own query reads it (no extra query)."""
    chosen = OrgSettings.objects.filter(id=1).exclude(dora_benchmark="").values("dora_benchmark")[:1]
    return Coalesce(Subquery(chosen), Value(settings.DORA_BENCHMARK))


def dora_vintages() -> list[str]:
    """The benchmark vintages stored as data, newest first."""
    return list(DoraBenchmark.objects.order_by("-vintage").values_list("vintage", flat=True).distinct())


def settings_users():
    """Every user with their groups prefetched (two queries), active first."""
    return get_user_model().objects.prefetch_related("groups").order_by("-is_active", "username")
