"""The settings pages' forms: they parse input; the owning app's service validates and writes."""

from django import forms
from django.contrib.auth import get_user_model

from kanban.policies import WIP_STATES
from portfolio.models import DeliveryMode, EpicState, QuarterStatus, ValueStream, ValueStreamKind


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
