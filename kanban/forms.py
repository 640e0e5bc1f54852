"""Page forms of the Kanban: epic create/edit, WSJF scoring, moves and go decisions."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from portfolio.form_fields import MoneyField, PersonChoiceField
from portfolio.models import (
    MMP,
    WSJF_SCALE,
    BenefitHypothesis,
    BenefitKind,
    DeliveryMode,
    EarnedValueMethod,
    Epic,
    EpicState,
    GateDecision,
    MMPKind,
    MMPStatus,
    MvpDecision,
    MvpResult,
    ValueStream,
)
from portfolio.people import display_name
from portfolio.permissions import is_director
from portfolio.services.epics import EPIC_EDITABLE_FIELDS

SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in WSJF_SCALE]


def _score_field(label):
    return forms.TypedChoiceField(label=label, choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False)


class MoneyInput(MoneyField):
    """An amount typed on a page: exact decimals only (grouping accepted), kept as integer cents."""


class EpicForm(forms.ModelForm):
    estimated_cost_cents = MoneyInput(label="Estimated cost", required=False)
    cost_of_delay_per_week_cents = MoneyInput(label="Cost of delay per week (for CD3)", required=False)
    business_value = _score_field("Business value")
    time_criticality = _score_field("Time criticality")
    risk_reduction = _score_field("Risk reduction / opportunity enablement")
    job_size = _score_field("Job size")

    class Meta:
        model = Epic
        # The service's list of what an edit may set, so form and API cannot drift apart.
        fields = [*EPIC_EDITABLE_FIELDS, "themes"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "business_outcome_hypothesis",
                "leading_indicators",
                "nonfunctional_requirements",
                "mvp_definition",
                "in_scope",
                "out_of_scope",
            )
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streams = ValueStream.objects.all() if is_director(user) else ValueStream.objects.managed_by(user)
        self.fields["value_stream"].queryset = streams.order_by("name")
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        # Names instead of Django's "---------" and of usernames (one rule: portfolio.people).
        self.fields["owner"].label_from_instance = display_name
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["value_stream"].empty_label = "Choose a value stream"
        self.fields["target_quarter"].empty_label = "No target quarter yet"
        self.fields["horizon"].choices = [("", "Not set"), *self.fields["horizon"].choices[1:]]
        if "delivery_mode" in self.fields:
            self.fields["delivery_mode"].choices = [("", "The value stream's mode"), *DeliveryMode.choices]

    def _post_clean(self):
        # The service validates and saves (full_clean inside); skip ModelForm's instance writes.
        pass

    def clean_key(self):
        return self.cleaned_data["key"].strip().upper()


class ScoreForm(forms.Form):
    business_value = _score_field("Business value")
    time_criticality = _score_field("Time criticality")
    risk_reduction = _score_field("Risk reduction / opportunity enablement")
    job_size = _score_field("Job size")


class MoveForm(forms.Form):
    to_state = forms.ChoiceField(label="Move to", choices=EpicState.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000, required=False)
    override_funding = forms.BooleanField(required=False, label="Override funding room (directors)")


class GoDecisionForm(forms.Form):
    note = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "aria-label": "Go decision note"}))


class GateDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=GateDecision.choices)
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _date_field(label, *, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class ProjectPlanForm(forms.Form):
    """Baseline (or rebaseline) a project from the epic page: budget at completion, sponsor,
    earned-value method. The service checks who may and that the epic is in project mode."""

    baseline_budget_cents = MoneyInput(label="Baseline budget (BAC)")
    sponsor = PersonChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="No sponsor")
    ev_method = forms.ChoiceField(label="Earned value by", choices=EarnedValueMethod.choices)

    def __init__(self, *args, epic: Epic, **kwargs):
        kwargs.setdefault("auto_id", "plan_%s")  # the epic page has several forms: unique ids
        super().__init__(*args, **kwargs)
        # Lazy: the sponsor list is queried only when a manager's page renders the form.
        self.fields["sponsor"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")


class PhaseForm(forms.Form):
    """A phase added from the epic page; the forecast defaults to the baseline (the service)."""

    name = forms.CharField(max_length=120)
    baseline_start = _date_field("Baseline start")
    baseline_end = _date_field("Baseline end")
    forecast_start = _date_field("Forecast start", required=False)
    forecast_end = _date_field("Forecast end", required=False)

    def __init__(self, *args, epic: Epic, **kwargs):
        kwargs.setdefault("auto_id", "phase_%s")  # the epic page has several forms: unique ids
        super().__init__(*args, **kwargs)


class PhaseForecastForm(forms.Form):
    """A phase's forecast moved from its row of the timeline table."""

    forecast_start = _date_field("Forecast start")
    forecast_end = _date_field("Forecast end")

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)


class MilestoneForm(forms.Form):
    """A milestone added from the epic page. The phase choices come from the phases the page has
    already read (`phases`), so the form costs no query of its own."""

    name = forms.CharField(max_length=120)
    phase = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Phase")
    baseline_date = _date_field("Baseline date")
    forecast_date = _date_field("Forecast date", required=False)
    weight = forms.IntegerField(min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, epic: Epic, phases=None, **kwargs):
        kwargs.setdefault("auto_id", "milestone_%s")  # the epic page has several forms: unique ids
        super().__init__(*args, **kwargs)
        self.epic = epic
        if phases is None:
            phases = list(epic.phases.all())
        self.fields["phase"].choices = [("", "No phase"), *((p.id, p.name) for p in phases)]

    def clean_phase(self):
        # The id was one of the epic's phases (the choices); the service gets the row.
        phase_id = self.cleaned_data["phase"]
        return None if phase_id is None else self.epic.phases.get(id=phase_id)


class MilestoneProgressForm(forms.Form):
    """A milestone's forecast moved, or its completion recorded (blank: not completed)."""

    forecast_date = _date_field("Forecast date")
    completed_on = _date_field("Completed on", required=False)

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)


def form_errors_from(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class BenefitForm(forms.Form):
    """A benefit hypothesis recorded from the epic page."""

    kind = forms.ChoiceField(choices=BenefitKind.choices)
    title = forms.CharField(max_length=200)
    mmp = forms.ModelChoiceField(queryset=MMP.objects.none(), required=False, label="MVP/MMP", empty_label="The epic")
    monthly_amount_cents = MoneyInput(label="Money per month", required=False)
    start_month = forms.DateField(required=False, label="From month", widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.CharField(max_length=40, required=False, label="Indicator unit")
    baseline = forms.DecimalField(max_digits=18, decimal_places=4, required=False)
    target = forms.DecimalField(max_digits=18, decimal_places=4, required=False)
    description = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mmp"].queryset = MMP.objects.filter(epic=epic)


class BenefitMeasurementForm(forms.Form):
    """A measurement appended to one of the epic's benefits."""

    benefit = forms.ModelChoiceField(queryset=BenefitHypothesis.objects.none(), empty_label="Choose a benefit")
    measured_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount_cents = MoneyInput(label="Amount (money benefit)", required=False)
    value = forms.DecimalField(max_digits=18, decimal_places=4, required=False, label="Value (indicator)")
    source = forms.CharField(max_length=100, required=False)
    note = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].queryset = BenefitHypothesis.objects.filter(epic=epic)


class MvpEvaluationForm(forms.Form):
    """The verdict on a released MVP and the decision that moves the card."""

    mmp = forms.ModelChoiceField(queryset=MMP.objects.none(), label="MVP", empty_label="Choose an MVP")
    result = forms.ChoiceField(choices=MvpResult.choices)
    evidence = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.ChoiceField(choices=MvpDecision.choices)
    reason = forms.CharField(max_length=2000)

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mmp"].queryset = MMP.objects.filter(epic=epic, kind=MMPKind.MVP, status=MMPStatus.RELEASED)
