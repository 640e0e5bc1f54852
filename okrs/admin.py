from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from okrs.models import CheckIn, KeyResult, Objective


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    extra = 0
    fields = ["title", "direction", "baseline", "target", "current", "weight", "commitment"]
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "quarter", "level", "value_stream", "owner"]
    list_filter = ["quarter", "level", "value_stream"]
    search_fields = ["title"]
    inlines = [KeyResultInline]
    list_select_related = ["quarter", "value_stream", "owner"]


@admin.register(KeyResult)
class KeyResultAdmin(SimpleHistoryAdmin):
    list_display = ["title", "objective", "direction", "baseline", "target", "current", "confidence"]
    list_filter = ["direction", "commitment", "objective__quarter"]
    search_fields = ["title"]
    filter_horizontal = ["epics", "mmps"]
    list_select_related = ["objective"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Check-ins are append-only: readable here, never edited or deleted."""

    list_display = ["key_result", "date", "value", "confidence", "author"]
    list_select_related = ["key_result", "author"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
