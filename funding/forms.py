"""Page forms for funding. Amounts go through portfolio.money.parse_amount (exact, never float)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.widgets import FastSelect
from funding.models import SpendCategory, Team
from funding.services.spend import SPEND_CSV_MAX_BYTES
from portfolio.form_fields import MoneyField
from portfolio.models import ValueStream


class AmountField(MoneyField):
    """A money amount typed by a person, cleaned to integer cents (grouping accepted)."""


class BudgetForm(forms.Form):
    total = AmountField(label="Total")
    reason = forms.CharField(required=False, max_length=2000, label="Reason (needed once approved)")


class AllocationForm(forms.Form):
    amount = AmountField(label="Amount")
    reason = forms.CharField(required=False, max_length=2000, label="Reason")


class TransferForm(forms.Form):
    # FastSelect: the funding page lists every value stream twice; Django's per-option templates
    # were a third of the page's time.
    source = forms.ModelChoiceField(
        queryset=ValueStream.objects.all(), label="From", empty_label="Choose a value stream", widget=FastSelect
    )
    target = forms.ModelChoiceField(
        queryset=ValueStream.objects.all(), label="To", empty_label="Choose a value stream", widget=FastSelect
    )
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
    cost_tolerance_pct = forms.IntegerField(
        min_value=0, max_value=100, required=False, label="Team cost vs labour spend tolerance %"
    )
    reason = forms.CharField(required=False, max_length=2000, label="Reason")


class TeamForm(forms.Form):
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.none(), label="Value stream", empty_label="Choose a value stream"
    )
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


class TeamSprintForm(forms.Form):
    """A sprint of a team: its dates, cost (blank: the team's cost per sprint) and the work items
    delivered, named by external id, or by `#id`, separated by spaces, commas or new lines."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    cost_cents = AmountField(label="Cost (blank: the team's cost per sprint)", required=False)
    committed_size = forms.IntegerField(
        label="Committed size (blank: from the work items)", required=False, min_value=0, max_value=1_000_000
    )
    done_size = forms.IntegerField(
        label="Done size (blank: from the work items)", required=False, min_value=0, max_value=1_000_000
    )
    work_items = forms.CharField(
        required=False,
        max_length=20_000,
        label="Work items delivered (external ids, or #id)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_work_items(self) -> dict:
        ids, external_ids = [], []
        for token in self.cleaned_data["work_items"].replace(",", " ").split():
            if token.startswith("#"):
                if not token[1:].isdecimal() or len(token) > 19:
                    raise ValidationError(f"{token} is not a work item id.")
                ids.append(int(token[1:]))
            else:
                external_ids.append(token)
        return {"work_item_ids": ids, "work_item_external_ids": external_ids}


class SpendForm(forms.Form):
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.none(), label="Value stream", empty_label="Choose a value stream"
    )
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
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team", empty_label="No team")
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


class OptimiseForm(forms.Form):
    """The optimiser's constraints a director may set on the page (the API takes the same)."""

    budget = AmountField(required=False, label="Budget (default: the quarter's)")
    pin_in = forms.CharField(required=False, max_length=2000, label="Pin in (epic keys)")
    pin_out = forms.CharField(required=False, max_length=2000, label="Pin out (epic keys)")

    def clean_pin_in(self):
        return _keys(self.cleaned_data["pin_in"])

    def clean_pin_out(self):
        return _keys(self.cleaned_data["pin_out"])


def _keys(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class PBSessionForm(forms.Form):
    """A participatory budgeting session. Tables are typed one a line, `Name: user1, user2`;
    caps one a line, `<investment type or horizon> <percent>` (e.g. `enablers 30`, `h2 10`)."""

    name = forms.CharField(max_length=120)
    money = AmountField(label="Money in play")
    share = AmountField(label="Set share per participant (empty: equal shares)", required=False)
    ends_at = forms.DateTimeField(label="Ends at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    epics = forms.ModelMultipleChoiceField(queryset=None, label="Epics on offer")
    tables = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, label="Tables")
    caps = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False, label="Caps")

    def __init__(self, *args, epics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epics"].queryset = epics

    def clean_tables(self):
        users = get_user_model().objects
        tables: dict[str, list[int]] = {}
        for line in self.cleaned_data["tables"].splitlines():
            if not line.strip():
                continue
            name, sep, members = line.partition(":")
            names = [m.strip() for m in members.split(",") if m.strip()]
            if not sep or not name.strip() or not names:
                raise ValidationError(f"Write each table as `Name: user1, user2`, not {line.strip()[:60]!r}.")
            found = dict(users.filter(username__in=names).values_list("username", "pk"))
            missing = [n for n in names if n not in found]
            if missing:
                raise ValidationError(f"Unknown users: {', '.join(missing)[:200]}.")
            tables[name.strip()[:60]] = [found[n] for n in names]
        return tables

    def clean_caps(self):
        from funding.services.participatory import CapSpec
        from portfolio.models import InvestmentHorizon, InvestmentType

        caps = []
        for line in self.cleaned_data["caps"].splitlines():
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdecimal():
                raise ValidationError(f"Write each cap as `enablers 30` or `h2 10`, not {line.strip()[:60]!r}.")
            dimension, pct = parts[0].lower(), int(parts[1])
            if dimension in InvestmentType.values:
                caps.append(CapSpec(max_pct=pct, investment_type=dimension))
            elif dimension in InvestmentHorizon.values:
                caps.append(CapSpec(max_pct=pct, horizon=dimension))
            else:
                raise ValidationError(f"{dimension[:30]!r} is neither an investment type nor a horizon.")
        return caps


class PBPledgeForm(forms.Form):
    offer = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = AmountField(label="Pledge")


class PBCommentForm(forms.Form):
    offer = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    body = forms.CharField(max_length=500, label="Message")
