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


# The epic form's sections, in order: (id, legend, one-line introduction, field names). Every
# editable field is in exactly one (tests/kanban/test_epic_form.py checks it).
EPIC_FORM_SECTIONS = (
    (
        "identity",
        "Identity",
        "What the epic is called, where it lives and who looks after it.",
        ("key", "title", "value_stream", "kind", "investment_type", "horizon", "owner", "themes", "description"),
    ),
    (
        "hypothesis",
        "Hypothesis statement",
        "One sentence that says who the epic is for and why it beats today's alternative: "
        "“For <customers> who <have this need>, the <solution> is a <kind of thing> that "
        "<brings this benefit>. Unlike <the alternative>, our solution <does this better>.” "
        "Fill each part with a few words; the epic page reads them back as one sentence.",
        (
            "hypothesis_for",
            "hypothesis_who",
            "hypothesis_the",
            "hypothesis_is_a",
            "hypothesis_that",
            "hypothesis_unlike",
            "hypothesis_our_solution",
        ),
    ),
    (
        "business-case",
        "Business case",
        "What success looks like, how you will see it early, and where the epic stops. The "
        "portfolio backlog needs the MVP and a cost estimate.",
        (
            "business_outcome_hypothesis",
            "leading_indicators",
            "nonfunctional_requirements",
            "mvp_definition",
            "in_scope",
            "out_of_scope",
            "delivery_mode",
            "target_quarter",
        ),
    ),
    (
        "wsjf",
        "WSJF",
        "Weighted shortest job first = cost of delay ÷ job size. Cost of delay is the sum of the "
        "first three scores. Score each on 1, 2, 3, 5, 8, 13, 20 relative to the other epics: "
        "the smallest epic in a column gets 1.",
        ("business_value", "time_criticality", "risk_reduction", "job_size"),
    ),
    (
        "cost",
        "Cost and estimate",
        "Money figures in the installation's currency; grouping such as 4,800,000.00 is accepted.",
        ("estimated_cost_cents", "estimated_duration_weeks", "cost_of_delay_per_week_cents"),
    ),
)

EPIC_LABELS = {
    "key": "Key",
    "hypothesis_for": "For (target customers)",
    "hypothesis_who": "who (their need or problem)",
    "hypothesis_the": "the (name of the solution)",
    "hypothesis_is_a": "is a (kind of solution)",
    "hypothesis_that": "that (the key benefit)",
    "hypothesis_unlike": "Unlike (today's alternative or competitor)",
    "hypothesis_our_solution": "our solution (how it does better)",
    "estimated_duration_weeks": "Estimated duration (weeks)",
    "nonfunctional_requirements": "Non-functional requirements",
}

EPIC_HELP = {
    "key": "Leave blank for the value stream's next key (for example PAY-13); you may type your own.",
    "title": "A short name people will recognise on the board.",
    "value_stream": "The value stream that funds and delivers the epic.",
    "kind": "Business epics deliver value to customers; enabler epics build the architecture or "
    "infrastructure that future business epics need.",
    "investment_type": "The guardrail category the epic's spend counts against.",
    "horizon": "Investment horizon: H1 runs today's business, H2 grows an emerging one, "
    "H3 evaluates a future one, H0 retires one.",
    "owner": "The epic owner who writes the case and steers it through the Kanban (needed to enter Reviewing).",
    "themes": "The strategic themes the epic serves (hold Ctrl or ⌘ to choose several).",
    "description": "Context a reader needs beyond the title.",
    "hypothesis_for": "The customers or users the epic serves, e.g. “small merchants”.",
    "hypothesis_who": "What they need to do or the problem they have, e.g. “wait days for payouts”.",
    "hypothesis_the": "The name of the solution, e.g. “instant payout”.",
    "hypothesis_is_a": "The kind of thing it is, e.g. “real-time settlement service”.",
    "hypothesis_that": "The value it brings them, e.g. “pays out within minutes”.",
    "hypothesis_unlike": "What they use or suffer today, e.g. “the nightly batch”.",
    "hypothesis_our_solution": "How the solution does better, e.g. “settles every sale as it happens”.",
    "business_outcome_hypothesis": "The measurable business result you expect if the hypothesis holds.",
    "leading_indicators": "Early signals that show whether the outcome is coming.",
    "nonfunctional_requirements": "Security, performance, compliance or other qualities the solution must have.",
    "mvp_definition": "The smallest thing you can release to test the hypothesis (needed for the portfolio backlog).",
    "in_scope": "What the epic will do.",
    "out_of_scope": "What it deliberately will not do.",
    "delivery_mode": "How the epic is delivered: as a project, by agile teams or by continuous "
    "flow; blank follows the value stream.",
    "target_quarter": "The quarter you aim to deliver or fund it in.",
    "business_value": "User and business value: how much customers or the business gain.",
    "time_criticality": "How fast the value decays: a deadline, a market window, a competitor.",
    "risk_reduction": "Risk reduction or opportunity enablement: risk it removes or options it opens.",
    "job_size": "The effort relative to other epics (a proxy for duration): bigger is slower.",
    "estimated_cost_cents": "The top-down cost estimate (needed for the portfolio backlog; above "
    "the approval threshold a director's go decision is needed).",
    "estimated_duration_weeks": "How many weeks delivery should take (used for CD3).",
    "cost_of_delay_per_week_cents": "Money lost for every week the epic is not delivered; with "
    "the duration it gives CD3.",
}


class EpicForm(forms.ModelForm):
    """The epic create/edit page, in sections (`EPIC_FORM_SECTIONS`) with help on every field."""

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
        labels = EPIC_LABELS
        help_texts = EPIC_HELP
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
        # A new epic may leave the key blank (the service numbers it); an existing one keeps one.
        self.fields["key"].required = self.instance.pk is not None
        for name, field in self.fields.items():
            # Declared fields (money, scores) do not take Meta's help texts: set them here.
            field.help_text = field.help_text or EPIC_HELP.get(name, "")

    def sections(self):
        """The bound fields by section, for the template: (id, legend, intro, fields)."""
        return [
            (sid, legend, intro, [self[name] for name in names]) for sid, legend, intro, names in EPIC_FORM_SECTIONS
        ]

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
