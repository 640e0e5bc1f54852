from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portfolio.models import (
    MMP,
    DeliveryImport,
    Dependency,
    DoraBenchmark,
    Epic,
    MapStage,
    Quarter,
    Risk,
    SourceRule,
    StatusMapping,
    StrategicTheme,
    ValueStream,
    ValueStreamMap,
    WebhookDelivery,
)
from portfolio.services.base import quarter_check_overlap


@admin.register(ValueStream)
class ValueStreamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "delivery_mode", "active"]
    list_filter = ["kind", "delivery_mode", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["managers"]

    def has_delete_permission(self, request, obj=None):
        # Referenced by money and history: deactivate instead.
        return False


class QuarterAdminForm(forms.ModelForm):
    class Meta:
        model = Quarter
        fields = ["code", "start", "end", "status"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            # The same overlap rule as the service, shown as a form error.
            quarter_check_overlap(start=start, end=end, exclude_id=self.instance.pk)
        return cleaned


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    form = QuarterAdminForm
    list_display = ["code", "start", "end", "status"]
    list_filter = ["status"]
    ordering = ["-start"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StrategicTheme)
class StrategicThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    prepopulated_fields = {"slug": ["name"]}


# --- Epics and what hangs off them. State and version are read-only here: the Kanban's move
# service is the one way an epic changes state (it writes the Transition and checks policies).
class MMPInline(admin.TabularInline):
    model = MMP
    extra = 0
    fields = ["kind", "title", "target_quarter", "status", "released_on", "cost_estimate_cents"]


@admin.register(Epic)
class EpicAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title", "value_stream", "state", "wsjf", "cost_of_delay", "job_size", "owner"]
    list_filter = ["state", "kind", "value_stream"]
    search_fields = ["key", "title"]
    list_select_related = ["value_stream", "owner"]
    readonly_fields = ["state", "state_changed_at", "version", "cost_of_delay", "wsjf", "created_at", "updated_at"]
    filter_horizontal = ["themes"]
    inlines = [MMPInline]


@admin.register(MMP)
class MMPAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "epic", "status", "target_quarter"]
    list_filter = ["kind", "status"]
    list_select_related = ["epic", "target_quarter"]
    search_fields = ["title", "epic__key"]


@admin.register(Dependency)
class DependencyAdmin(admin.ModelAdmin):
    list_display = ["epic", "depends_on", "needed_by", "resolved"]
    list_filter = ["resolved"]
    list_select_related = ["epic", "depends_on"]


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "value_stream", "epic", "roam_status", "owner"]
    list_filter = ["roam_status", "value_stream"]
    list_select_related = ["value_stream", "epic", "owner"]
    search_fields = ["title"]


# --- Delivery data and its ingestion settings (issue 6) ----------------------------------------
# Status mappings and source rules are how an administrator wires the teams' tools in; the
# DORA benchmark rows are data, shown read-only (the vintage in use is the DORA_BENCHMARK setting).


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    list_display = ["source", "tool_status", "flow_status"]
    list_filter = ["source", "flow_status"]
    search_fields = ["tool_status"]


@admin.register(SourceRule)
class SourceRuleAdmin(admin.ModelAdmin):
    list_display = ["source", "pattern", "value_stream"]
    list_filter = ["source"]
    list_select_related = ["value_stream"]
    search_fields = ["pattern"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new or changed rule replays what was parked for its location.
        from portfolio.services.ingestion import parked_replay

        parked_replay(source=obj.source, pattern=obj.pattern)


@admin.register(DoraBenchmark)
class DoraBenchmarkAdmin(admin.ModelAdmin):
    list_display = [
        "vintage",
        "level",
        "deploys_per_week_min",
        "lead_time_hours_max",
        "change_failure_rate_max",
        "recovery_hours_max",
    ]
    list_filter = ["vintage"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["source", "delivery_id", "received_at"]
    list_filter = ["source"]


@admin.register(DeliveryImport)
class DeliveryImportAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "value_stream", "uploaded_by", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["value_stream", "uploaded_by"]
    exclude = ["content"]


class MapStageInline(admin.TabularInline):
    model = MapStage
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(ValueStreamMap)
class ValueStreamMapAdmin(admin.ModelAdmin):
    list_display = ["value_stream", "state", "title", "window_days", "updated_at"]
    list_filter = ["state", "value_stream"]
    inlines = [MapStageInline]
