"""The settings pages' forms: they parse input; the owning app's service validates and writes."""

from django import forms
from django.contrib.auth import get_user_model

from kanban.policies import WIP_STATES
from portfolio.models import (
    DeliveryMode,
    EpicState,
    QuarterStatus,
    Source,
    ValueStream,
    ValueStreamKind,
    WorkItemStatus,
)
from portfolio.roles import ALL_ROLES
from portfolio.services.ingestion import ADAPTERS as WEBHOOK_SOURCES


class ValueStreamForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=60, required=False, help_text="Blank: made from the name.")
    kind = forms.ChoiceField(choices=ValueStreamKind.choices)
    delivery_mode = forms.ChoiceField(choices=DeliveryMode.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)
    managers = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"), required=False
    )
    active = forms.BooleanField(required=False, initial=True, help_text="Untick to archive the stream.")


class QuarterForm(forms.Form):
    code = forms.CharField(max_length=7, help_text="Like 2026-Q3.")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=QuarterStatus.choices)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The quarter must end after it starts.")
        return data


class WipLimitForm(forms.Form):
    state = forms.ChoiceField(choices=[(s, EpicState(s).label) for s in WIP_STATES])
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.filter(active=True), required=False, empty_label="Whole portfolio"
    )
    limit = forms.IntegerField(min_value=1, max_value=100000, required=False, help_text="Empty: no limit.")


class EntryPolicyForm(forms.Form):
    """One tick box per optional entry check, named `<state>__<check>`."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row.state}__{row.check}"] = forms.BooleanField(
                required=False, initial=row.required, label=f"{row.state_label}: {row.label}"
            )

    def required(self) -> dict[tuple[str, str], bool]:
        return {(row.state, row.check): self.cleaned_data[f"{row.state}__{row.check}"] for row in self.rows}


class DisplaySettingsForm(forms.Form):
    currency_display = forms.CharField(
        max_length=8, required=False, label="Currency label", help_text="How pages label amounts; blank: the default."
    )
    dora_benchmark = forms.ChoiceField(label="DORA benchmark", required=False)

    def __init__(self, *args, vintages, default_vintage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dora_benchmark"].choices = [("", f"Default ({default_vintage})")] + [(v, v) for v in vintages]


class SourceRuleForm(forms.Form):
    source = forms.ChoiceField(choices=Source.choices)
    pattern = forms.CharField(max_length=200, help_text="Repository (owner/name), project key or service id.")
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.order_by("name"), empty_label="Choose a value stream"
    )
    reports_incidents = forms.BooleanField(required=False, help_text="Its incidents are the stream's incidents.")


class StatusMappingForm(forms.Form):
    source = forms.ChoiceField(choices=Source.choices)
    tool_status = forms.CharField(max_length=100, label="Tool's status")
    flow_status = forms.ChoiceField(choices=WorkItemStatus.choices, label="Flow status")


class PayloadPreviewForm(forms.Form):
    source = forms.ChoiceField(choices=[(s, label) for s, label in Source.choices if s in WEBHOOK_SOURCES])
    event = forms.CharField(
        max_length=100,
        required=False,
        help_text="The event header: GitHub's X-GitHub-Event (issues, pull_request, ...), "
        "Jira's X-Atlassian-Webhook-Event; blank for GitLab and PagerDuty.",
    )
    payload = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=1_000_000)

    def clean_payload(self):
        import json

        try:
            return json.loads(self.cleaned_data["payload"])
        except ValueError:
            raise forms.ValidationError("This is not JSON.") from None


class UserForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    roles = forms.MultipleChoiceField(
        choices=[(name, name) for name in ALL_ROLES], required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active", help_text="Untick to deactivate.")
