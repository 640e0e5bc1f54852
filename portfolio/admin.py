from django import forms
from django.contrib import admin

from portfolio.models import Quarter, StrategicTheme, ValueStream
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
