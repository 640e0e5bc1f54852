"""Page forms for funding. Amounts go through portfolio.money.parse_amount (exact, never float)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from funding.models import SpendCategory, Team
from funding.services.spend import SPEND_CSV_MAX_BYTES
from portfolio.models import ValueStream
from portfolio.money import decimal_to_cents, parse_amount


class AmountField(forms.CharField):
    """A money amount typed by a person, cleaned to integer cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "pattern": r"[0-9]+(\.[0-9]{1,2})?"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return decimal_to_cents(parse_amount(value))


class BudgetForm(forms.Form):
    total = AmountField(label="Total")
    reason = forms.CharField(required=False, max_length=2000, label="Reason (needed once approved)")


class AllocationForm(forms.Form):
    amount = AmountField(label="Amount")
    reason = forms.CharField(required=False, max_length=2000, label="Reason")


class TransferForm(forms.Form):
    source = forms.ModelChoiceField(queryset=ValueStream.objects.all(), label="From")
    target = forms.ModelChoiceField(queryset=ValueStream.objects.all(), label="To")
    amount = AmountField(label="Amount")
    reason = forms.CharField(required=False, max_length=2000, label="Reason")


class GuardrailForm(forms.Form):
    business_features_pct = forms.IntegerField(min_value=0, max_value=100, label="Business features %")
    enablers_pct = forms.IntegerField(min_value=0, max_value=100, label="Enablers %")
    tech_debt_pct = forms.IntegerField(min_value=0, max_value=100, label="Tech debt %")
    ktlo_pct = forms.IntegerField(min_value=0, max_value=100, label="Keep the lights on %")
    horizon_h0_pct = forms.IntegerField(min_value=0, max_value=100, required=False, label="H0 %")
    horizon_h1_pct = forms.IntegerField(min_value=0, max_value=100, required=False, label="H1 %")
    horizon_h2_pct = forms.IntegerField(min_value=0, max_value=100, required=False, label="H2 %")
    horizon_h3_pct = forms.IntegerField(min_value=0, max_value=100, required=False, label="H3 %")
    approval_threshold_cents = AmountField(required=False, label="Approval threshold")
    drift_tolerance_pct = forms.IntegerField(min_value=0, max_value=100, label="Drift tolerance (points)")
    reason = forms.CharField(required=False, max_length=2000, label="Reason")


class TeamForm(forms.Form):
    value_stream = forms.ModelChoiceField(queryset=ValueStream.objects.none(), label="Value stream")
    name = forms.CharField(max_length=120)
    cost_per_sprint_cents = AmountField(label="Cost per sprint")
    sprint_length_days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Sprint length (days)")
    headcount = forms.IntegerField(min_value=0, max_value=500, initial=0)
    members = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"), required=False
    )
    active = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, value_streams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_stream"].queryset = value_streams


class SpendForm(forms.Form):
    value_stream = forms.ModelChoiceField(queryset=ValueStream.objects.none(), label="Value stream")
    month = forms.DateField(
        label="Month", input_formats=["%Y-%m", "%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "month"})
    )
    amount = AmountField(label="Amount")
    category = forms.ChoiceField(choices=SpendCategory.choices)
    note = forms.CharField(required=False, max_length=499)

    def __init__(self, *args, value_streams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_stream"].queryset = value_streams


class SpendImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: value_stream, month, amount, category, epic, note.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > SPEND_CSV_MAX_BYTES:
            raise ValidationError(f"The file is larger than {SPEND_CSV_MAX_BYTES:,} bytes.")
        return upload


class EstimateForm(forms.Form):
    """An estimate as money, or as N sprints of a team (one or the other)."""

    amount = AmountField(required=False, label="Amount")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")
    sprints = forms.IntegerField(min_value=1, max_value=500, required=False, label="Sprints")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        by_money = data.get("amount") is not None
        by_sprints = data.get("team") is not None or data.get("sprints") is not None
        if by_money == by_sprints:
            raise ValidationError("Give either an amount, or a team and a number of sprints.")
        return data


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=120)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ScenarioLineForm(forms.Form):
    amount = AmountField(label="Amount")


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
