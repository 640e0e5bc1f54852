"""The settings pages' forms: they parse input; the owning app's service validates and writes."""

from django import forms
from django.contrib.auth import get_user_model

from portfolio.models import DeliveryMode, QuarterStatus, ValueStreamKind


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
