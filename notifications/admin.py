from django.contrib import admin

from notifications.models import ReportDelivery, ReportSchedule


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("report", "day_of_month", "value_stream", "active")
    list_filter = ("report", "active")


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("schedule", "month", "status", "sent_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ReportDelivery._meta.fields]
