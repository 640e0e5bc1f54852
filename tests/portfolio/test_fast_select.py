"""`core.widgets.FastSelect` and `core.html` write exactly what Django's Select and format_html write."""

import pytest
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.html import html_format, html_join
from core.widgets import FastSelect
from portfolio.filters.epics import EpicFilter
from portfolio.models import Epic
from tests.factories import StrategicThemeFactory, UserFactory, ValueStreamFactory

CHOICES = [
    ("", "Choose <one>"),
    ("lazy", gettext_lazy("Business")),
    (1000, 1000),
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


@pytest.mark.parametrize(
    "value",
    ["<b>Tom & 'Jerry'\"</b>", mark_safe("<i>safe</i>"), 12, 1.5, None, gettext_lazy("Save & <go>"), ""],
)
def test_html_format_escapes_as_format_html(value):
    assert html_format('<td title="{}">{}</td>', value, value) == format_html('<td title="{}">{}</td>', value, value)
    assert html_join(", ", [value, mark_safe("<br>")]) == format_html_join(", ", "{}", [(value,), (mark_safe("<br>"),)])


@pytest.mark.django_db
def test_the_epic_filter_bar_renders_as_before(vsm):
    ValueStreamFactory(name="R&D <lab>")
    chosen = ValueStreamFactory(name="Payments")
    StrategicThemeFactory(name="Grow")
    UserFactory(username="dreyes", first_name="Diana", last_name="Reyes")
    data = {"value_stream": str(chosen.id), "kind": "enabler"}

    form = EpicFilter(data, queryset=Epic.objects.none()).form
    for name in ("value_stream", "theme", "kind", "owner"):
        bound = form[name]
        assert isinstance(bound.field.widget, FastSelect)
        template_rendered = forms.Select.render(
            bound.field.widget, bound.html_name, bound.value(), bound.build_widget_attrs({"id": bound.auto_id})
        )
        assert str(bound) == template_rendered
    assert "selected>Payments</option>" in str(form["value_stream"])
