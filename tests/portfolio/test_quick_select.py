"""`core.widgets.QuickSelect` writes exactly the HTML of Django's template-rendered `Select`."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from core.widgets import QuickSelect
from portfolio.filters.epics import EpicFilter
from portfolio.models import Epic
from tests.factories import StrategicThemeFactory, UserFactory, ValueStreamFactory

CHOICES = [
    ("", "All kinds"),
    ("business", gettext_lazy("Business")),
    ("a&b", 'Tom & "Jerry" <b>'),
    (3, 1000),
    ("Grouped", [("g1", "First"), ("g2", "Second")]),
]


@pytest.mark.parametrize("value", [None, "", "a&b", "3", "g2", "missing"])
@pytest.mark.parametrize(
    "attrs", [None, {"aria-label": 'Kind "of" <epic>', "id": "id_kind", "required": True, "disabled": False}]
)
def test_the_same_html_as_djangos_select(value, attrs):
    django_select, quick = forms.Select(choices=CHOICES), QuickSelect(choices=CHOICES)

    assert quick.render("kind", value, attrs) == django_select.render("kind", value, attrs)


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
        assert isinstance(bound.field.widget, QuickSelect)
        template_rendered = forms.Select.render(
            bound.field.widget, bound.html_name, bound.value(), bound.build_widget_attrs({"id": bound.auto_id})
        )
        assert str(bound) == template_rendered
    assert "selected>Payments</option>" in str(form["value_stream"])
