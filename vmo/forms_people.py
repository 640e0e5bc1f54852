"""Forms of the people, impediment, feedback and release train pages (issue 20)."""

from django import forms
from django.contrib.auth import get_user_model

from funding.selectors.teams import teams_of_value_streams
from portfolio.form_fields import PersonChoiceField, PersonMultipleChoiceField
from portfolio.models import MMP, Epic, Quarter, ValueStream
from vmo.models_people import Sentiment, Severity, StreamRoleKind

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"})


def _users():
    return User.objects.filter(is_active=True).order_by("username")


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.value_stream.name})"


class ImpedimentForm(forms.Form):
    title = forms.CharField(max_length=200, label="What blocks")
    value_stream = forms.ModelChoiceField(queryset=ValueStream.objects.active(), empty_label="Choose a value stream")
    team = TeamChoiceField(queryset=teams_of_value_streams(), required=False, empty_label="The whole stream")
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, initial=Severity.MEDIUM)
    owner = PersonChoiceField(queryset=_users(), required=False)
    description = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ImpedimentResolveForm(forms.Form):
    resolution = forms.CharField(required=False, max_length=4000)


class FeedbackForm(forms.Form):
    epic = forms.ModelChoiceField(
        queryset=Epic.objects.select_related("value_stream").order_by("key"), required=False, empty_label="No epic"
    )
    mmp = forms.ModelChoiceField(
        queryset=MMP.objects.select_related("epic").order_by("epic__key", "id"),
        required=False,
        empty_label="No MVP/MMP",
    )
    source = forms.CharField(max_length=200)
    received_on = forms.DateField(widget=DATE)
    sentiment = forms.ChoiceField(choices=Sentiment.choices)
    quote = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ExecutiveActionTeamForm(forms.Form):
    charter = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    members = PersonMultipleChoiceField(queryset=_users(), required=False)


class StreamRoleForm(forms.Form):
    person = PersonChoiceField(queryset=_users(), empty_label="Choose a person")
    role = forms.ChoiceField(choices=StreamRoleKind.choices)
    team = TeamChoiceField(queryset=teams_of_value_streams(), required=False, empty_label="No team (VMO liaison)")

    def __init__(self, *args, value_stream_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_of_value_streams(value_stream_ids=[value_stream_id])


class ReleaseTrainForm(forms.Form):
    name = forms.CharField(max_length=120)
    teams = forms.ModelMultipleChoiceField(queryset=teams_of_value_streams(), required=False)

    def __init__(self, *args, value_stream_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_of_value_streams(value_stream_ids=[value_stream_id])


class ProgramIncrementForm(forms.Form):
    name = forms.CharField(max_length=60)
    start = forms.DateField(widget=DATE)
    end = forms.DateField(widget=DATE)


class PIObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200)
    planned_value = forms.IntegerField(min_value=1, max_value=10, label="Planned business value (1-10)")
    team = TeamChoiceField(queryset=teams_of_value_streams(), required=False, empty_label="The train")

    def __init__(self, *args, value_stream_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_of_value_streams(value_stream_ids=[value_stream_id])


class PIObjectiveScoreForm(forms.Form):
    actual_value = forms.IntegerField(min_value=0, max_value=10, required=False, label="Actual business value (0-10)")


class QuarterPickForm(forms.Form):
    quarter = forms.ModelChoiceField(
        queryset=Quarter.objects.order_by("-start"), to_field_name="code", required=False, empty_label="Any quarter"
    )
