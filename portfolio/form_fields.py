"""Form fields every app's pages share, so people and choices read the same everywhere."""

import re

from django import forms
from django.conf import settings

from portfolio.money import decimal_to_cents, format_amount, parse_amount
from portfolio.people import display_name

# "4,800,000.00": digits grouped by threes with commas, as format_amount writes them. Only a
# whole, well-formed grouping is stripped, so "4,8000" stays an error instead of a guess.
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")


class PersonChoiceField(forms.ModelChoiceField):
    """A user picked by full name ("Diana Reyes"), not by username; the empty choice says so."""

    def __init__(self, *args, empty_label="Nobody", **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several users picked by full name."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


def ungroup(text: str) -> str:
    """'4,800,000.00' -> '4800000.00'; anything else unchanged (parse_amount judges it)."""
    text = text.strip()
    return text.replace(",", "") if _GROUPED.match(text) else text


class MoneyField(forms.CharField):
    """An amount a person types on a page, in the installation's currency: accepts and shows
    grouping ("4,800,000.00"), parses exactly (`portfolio.money.parse_amount`), cleans to cents.
    The label names the currency."""

    def __init__(self, *, label=None, **kwargs):
        kwargs.setdefault("max_length", 24)
        if label:
            label = f"{label} ({settings.CURRENCY})"
        super().__init__(label=label, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        # The text is validated as text (length), then parsed exactly into cents.
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return decimal_to_cents(parse_amount(ungroup(value)))

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_amount(value)
        return value
