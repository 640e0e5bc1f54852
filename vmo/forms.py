"""Forms of the VMO pages: backlog items and planning event outputs."""

from django import forms
from django.contrib.auth import get_user_model

from funding.selectors.teams import team_list
from portfolio.form_fields import PersonChoiceField, PersonMultipleChoiceField
from portfolio.models import MMP, Dependency, Epic, Quarter, Risk, ValueStream
from vmo.models import (
    MINUTES_IN_A_DAY,
    ActionItemStatus,
    BacklogHorizon,
    PlanningEventKind,
    Priority,
    ProblemWorkshop,
    RetroNoteKind,
)

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
    # Optional so forms that do not show it (the overview's) still post: short term by default.
    horizon = forms.TypedChoiceField(
        choices=BacklogHorizon.choices, required=False, empty_value=BacklogHorizon.SHORT_TERM
    )


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
    team = forms.ModelChoiceField(
        queryset=team_list().filter(active=True),
        required=False,
        empty_label="The VMO (no team)",
        help_text="Retrospectives only: the team whose retrospective it is.",
    )

    def clean(self):
        data = super().clean()
        if data.get("team") and data.get("kind") != PlanningEventKind.RETROSPECTIVE:
            self.add_error("team", "Only a retrospective belongs to a team.")
        return data


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


def _minutes(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=MINUTES_IN_A_DAY)


class AgendaItemForm(forms.Form):
    text = forms.CharField(label="Agenda line", max_length=300)
    planned_minutes = _minutes("Timebox (minutes)")


class AgendaTimeForm(forms.Form):
    planned_minutes = _minutes("Planned minutes")
    actual_minutes = _minutes("Actual minutes")


class SystemDemoForm(forms.Form):
    shown = forms.CharField(label="What was shown", max_length=200)
    presented_by = PersonChoiceField(queryset=_users(), required=False)
    epic = forms.ModelChoiceField(queryset=Epic.objects.order_by("key"), required=False, empty_label="No epic")
    feedback = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ProblemWorkshopForm(forms.Form):
    problem = forms.CharField(max_length=300)
    root_causes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ImprovementItemForm(forms.Form):
    workshop = forms.ModelChoiceField(queryset=ProblemWorkshop.objects.none(), empty_label="Choose a problem")
    title = forms.CharField(max_length=200)
    owner = PersonChoiceField(queryset=_users(), required=False)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    horizon = forms.TypedChoiceField(
        choices=BacklogHorizon.choices, required=False, empty_value=BacklogHorizon.LONG_TERM, initial="long_term"
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        if event is not None:
            self.fields["workshop"].queryset = ProblemWorkshop.objects.filter(event=event)


class RetroNoteForm(forms.Form):
    kind = forms.ChoiceField(choices=RetroNoteKind.choices)
    text = forms.CharField(max_length=500)


def event_output_forms(*, event, **given) -> dict:
    """The forms an open event's workspace shows for its kind (given ones carry errors)."""
    forms_ = {
        "agenda_form": given.get("agenda_form") or AgendaItemForm(),
        "time_form": AgendaTimeForm(),
    }
    if event.kind == PlanningEventKind.INSPECT_AND_ADAPT:
        forms_["demo_form"] = given.get("demo_form") or SystemDemoForm()
        forms_["workshop_form"] = given.get("workshop_form") or ProblemWorkshopForm()
        forms_["improvement_form"] = given.get("improvement_form") or ImprovementItemForm(event=event)
    if event.kind in (PlanningEventKind.INSPECT_AND_ADAPT, PlanningEventKind.RETROSPECTIVE):
        forms_["retro_form"] = given.get("retro_form") or RetroNoteForm()
    return forms_


class MapImprovementItemForm(forms.Form):
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


class MapStageForm(forms.Form):
    """A stage of a value stream map typed on the map page: its tool statuses as a comma-separated
    list, and the figures used where no status history exists.

    `owner_choices` is computed once per page and shared by every stage's form, so rendering a
    dozen forms does not query the users a dozen times (the queryset only validates a POST)."""

    name = forms.CharField(max_length=100)
    owner = PersonChoiceField(queryset=_users(), required=False)
    tool_statuses = forms.CharField(
        required=False,
        max_length=2000,
        label="Tool statuses (comma-separated)",
        widget=forms.TextInput(attrs={"placeholder": "In Review, QA"}),
    )
    typed_process_hours = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=1, label="Process hours"
    )
    typed_wait_hours = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=1, label="Wait hours"
    )
    complete_accurate_pct = forms.IntegerField(required=False, min_value=0, max_value=100, label="%C&A")

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_choices is not None:
            self.fields["owner"].widget.choices = owner_choices

    def clean_tool_statuses(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["tool_statuses"].split(",") if part.strip()]

    @staticmethod
    def initial_for(stage) -> dict:
        return {
            "name": stage.name,
            "owner": stage.owner_id,
            "tool_statuses": ", ".join(stage.tool_statuses),
            "typed_process_hours": stage.typed_process_hours,
            "typed_wait_hours": stage.typed_wait_hours,
            "complete_accurate_pct": stage.complete_accurate_pct,
        }
