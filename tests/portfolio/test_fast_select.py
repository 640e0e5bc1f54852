"""`core.widgets.FastSelect` writes exactly what Django's template-rendered Select writes."""

import pytest
from django import forms

from core.widgets import FastSelect

CHOICES = [
    ("", "Choose <one>"),
    (1, "Tom & Jerry"),
    ('Group "A"', [(2, "Two"), ("x<y", "Three")]),
    (4, 'Quote "four"'),
]


@pytest.mark.parametrize("value", [None, "", 1, 2, "x<y"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_pick", "required": True, "disabled": False, "data-x": 'a"b'}])
def test_markup_matches_django_select(value, attrs):
    expected = forms.Select(choices=CHOICES).render("pick", value, attrs=attrs)
    assert FastSelect(choices=CHOICES).render("pick", value, attrs=attrs) == expected


def test_model_choice_field_markup_matches(db):
    from portfolio.models import ValueStream
    from tests.factories import ValueStreamFactory

    ValueStreamFactory(name="Payments & <Cards>")
    ValueStreamFactory(name="Lending")
    slow = forms.ModelChoiceField(queryset=ValueStream.objects.order_by("name"), empty_label="Choose")
    fast = forms.ModelChoiceField(
        queryset=ValueStream.objects.order_by("name"), empty_label="Choose", widget=FastSelect
    )
    assert fast.widget.render("source", None) == slow.widget.render("source", None)
