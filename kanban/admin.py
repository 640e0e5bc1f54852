"""Admin for the portfolio Kanban: WIP limits are set here; the transition log is read-only."""

from django.contrib import admin

from kanban.models import Transition, WipLimit


@admin.register(WipLimit)
class WipLimitAdmin(admin.ModelAdmin):
    list_display = ["state", "value_stream", "limit"]
    list_filter = ["state"]
    list_select_related = ["value_stream"]


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    """The move log is history: written only by the move service, never edited."""

    list_display = ["epic", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state"]
    list_select_related = ["epic", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
