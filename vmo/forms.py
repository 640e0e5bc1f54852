"""Forms of the VMO pages: backlog items and planning event outputs."""

from django import forms
from django.contrib.auth import get_user_model

from portfolio.form_fields import PersonChoiceField, PersonMultipleChoiceField
from portfolio.models import MMP, Dependency, Quarter, Risk, ValueStream
from vmo.models import ActionItemStatus, PlanningEventKind, Priority

User = get_user_model()


def _users():
    return User.objects.filter(is_active=True).order_by("username")


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = PersonChoiceField(queryset=_users(), required=False)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.MEDIUM)
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.active(), required=False, empty_label="Whole portfolio"
    )
    description = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class OverviewActionItemForm(ActionItemForm):
    """An executive's action item raised from a value stream's row of the overview: the row
    names the stream, and someone must own the item."""

    value_stream = forms.ModelChoiceField(queryset=ValueStream.objects.active(), widget=forms.HiddenInput)
    owner = PersonChoiceField(queryset=_users(), empty_label="Choose an owner")


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItemStatus.choices)


class PlanningEventForm(forms.Form):
    kind = forms.ChoiceField(choices=PlanningEventKind.choices)
    quarter = forms.ModelChoiceField(queryset=Quarter.objects.order_by("-start"), empty_label="Choose a quarter")
    title = forms.CharField(max_length=200)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    attendees = PersonMultipleChoiceField(queryset=_users(), required=False)
    notes = forms.CharField(required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))


class PlannedMMPForm(forms.Form):
    mmp = forms.ModelChoiceField(queryset=MMP.objects.select_related("epic"), empty_label="Choose an MMP")


class CommunicationItemForm(forms.Form):
    audience = forms.CharField(max_length=200)
    message = forms.CharField(max_length=2000)
    channel = forms.CharField(max_length=100)
    owner = PersonChoiceField(queryset=_users(), required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class EventLinkForm(forms.Form):
    risk = forms.ModelChoiceField(queryset=Risk.objects.all(), required=False, empty_label="No risk")
    dependency = forms.ModelChoiceField(queryset=Dependency.objects.all(), required=False, empty_label="No dependency")

    def clean(self):
        data = super().clean()
        if not data.get("risk") and not data.get("dependency"):
            raise forms.ValidationError("Choose a risk or a dependency.")
        return data


class ImprovementItemForm(forms.Form):
    """An improvement item raised from a value stream map: the stage it improves, of this stream."""

    map_stage = forms.ModelChoiceField(queryset=None, empty_label="Choose a stage", label="Stage")
    title = forms.CharField(max_length=200)
    owner = PersonChoiceField(queryset=_users(), required=False)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.MEDIUM)

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["map_stage"].queryset = stages
        self.fields["map_stage"].label_from_instance = lambda s: f"{s.map.get_state_display()}: {s.name}"
