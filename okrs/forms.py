from django import forms

from okrs.models import (
    KR_VALUE_DIGITS,
    KR_VALUE_PLACES,
    KeyResult,
    KRCommitment,
    KRDirection,
    KRMetric,
    Objective,
    ObjectiveLevel,
)
from okrs.selectors import key_results_for_benefits
from portfolio.models import BenefitHypothesis, Epic, StrategicTheme, ValueStream


class CheckInForm(forms.Form):
    value = forms.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    confidence = forms.IntegerField(min_value=0, max_value=10, initial=5)
    note = forms.CharField(required=False, max_length=2000)


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=200)
    unit = forms.CharField(max_length=30, required=False)
    direction = forms.ChoiceField(choices=KRDirection.choices, initial=KRDirection.INCREASE)
    baseline = forms.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    target = forms.DecimalField(max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES)
    weight = forms.DecimalField(max_digits=6, decimal_places=2, initial=1, min_value=0.01)
    commitment = forms.ChoiceField(choices=KRCommitment.choices, initial=KRCommitment.COMMITTED)
    metric = forms.ChoiceField(
        choices=[("", "Not bound: typed by check-ins"), *KRMetric.choices],
        required=False,
        label="Bound to the value stream's metric",
        help_text="A bound key result takes its value from each rollup; nobody types it.",
    )

    class Meta:
        model = KeyResult


class ObjectiveForm(forms.Form):
    """A new objective. The view narrows `value_stream` to the streams the user may write and
    `parent` to the quarter's portfolio objectives."""

    level = forms.ChoiceField(choices=ObjectiveLevel.choices, initial=ObjectiveLevel.VALUE_STREAM)
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.none(), required=False, empty_label="None (portfolio level)"
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    theme = forms.ModelChoiceField(
        queryset=StrategicTheme.objects.filter(active=True), required=False, empty_label="No theme"
    )
    parent = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="Aligned to (portfolio objective)",
        empty_label="Not aligned to a portfolio objective",
    )


class BenefitKeyResultForm(forms.Form):
    """Tie one of an epic's benefit hypotheses to the key result it serves (none unties it)."""

    benefit = forms.ModelChoiceField(queryset=BenefitHypothesis.objects.none(), empty_label="Choose a benefit")
    key_result = forms.ModelChoiceField(
        queryset=KeyResult.objects.none(), required=False, label="Serves key result", empty_label="None"
    )

    def __init__(self, *args, epic: Epic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].queryset = BenefitHypothesis.objects.filter(epic=epic).order_by("id")
        self.fields["key_result"].queryset = key_results_for_benefits(value_stream_id=epic.value_stream_id)
        self.fields["key_result"].label_from_instance = lambda kr: f"{kr.objective.quarter.code} · {kr.title}"
