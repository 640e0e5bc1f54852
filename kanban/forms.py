"""Page forms of the Kanban: epic create/edit, WSJF scoring, moves and go decisions."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from portfolio.models import WSJF_SCALE, Epic, EpicState, ValueStream
from portfolio.money import cents_to_decimal, decimal_to_cents, parse_amount
from portfolio.permissions import is_director
from portfolio.services.epics import EPIC_EDITABLE_FIELDS

SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in WSJF_SCALE]


def _score_field(label):
    return forms.TypedChoiceField(label=label, choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False)


class MoneyInput(forms.CharField):
    """An amount typed on a page: exact decimals only, kept as integer cents."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        return decimal_to_cents(parse_amount(value))

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{cents_to_decimal(value):.2f}"
        return value


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
    note = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def form_errors_from(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
