"""The office's rows in the admin. Snapshots and plan snapshots are computed, so they are
read-only here: a rollup rewrites them, a hand edit would only be overwritten or lie."""

from django.contrib import admin

from vmo.models import ActionItem, AgendaItem, CommunicationItem, PlannedMMP, PlanningEvent, ValueStreamSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows computed rows; nobody adds, changes or deletes them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "value_stream", "priority", "status", "due"]
    list_filter = ["status", "priority", "value_stream"]
    search_fields = ["title", "description"]
    raw_id_fields = ["owner", "source_event", "created_by"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class CommunicationItemInline(admin.TabularInline):
    model = CommunicationItem
    extra = 0
    raw_id_fields = ["owner"]


class PlannedMMPInline(admin.TabularInline):
    model = PlannedMMP
    extra = 0
    raw_id_fields = ["mmp"]


@admin.register(PlanningEvent)
class PlanningEventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "quarter", "date", "status"]
    list_filter = ["kind", "status", "quarter"]
    search_fields = ["title", "notes"]
    filter_horizontal = ["attendees", "risks", "dependencies"]
    # What the event kept when it closed is a record of the past, not an input.
    readonly_fields = ["closed_at", "previous_results", "plan_snapshot", "created_by", "created_at"]
    inlines = [AgendaItemInline, PlannedMMPInline, CommunicationItemInline]


@admin.register(ValueStreamSnapshot)
class ValueStreamSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["value_stream", "quarter", "as_of", "computed_at", "delivery_progress", "dora_level"]
    list_filter = ["quarter", "value_stream", "dora_level"]
    date_hierarchy = "as_of"
