from django import forms

from notifications.models import NoticeKind, ScheduledReport
from portfolio.models import ValueStream


class PreferenceForm(forms.Form):
    """Kinds are listed as the ones the user wants; the service stores the complement (muted)."""

    kinds = forms.MultipleChoiceField(
        choices=NoticeKind.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Notify me of"
    )
    email_digest = forms.BooleanField(required=False, label="E-mail me a daily digest")


class ReportScheduleForm(forms.Form):
    report = forms.ChoiceField(choices=ScheduledReport.choices)
    day_of_month = forms.IntegerField(min_value=1, max_value=28, label="Day of the month (1-28)")
    recipients = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, help_text="One address per line or comma-separated."
    )
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.active(), required=False, empty_label="Whole portfolio"
    )
