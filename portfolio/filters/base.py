"""FilterSets shared by the pages and the API."""

import datetime as dt

import django_filters
from django import forms

from portfolio.models import Quarter, StrategicTheme, ValueStream
from portfolio.people import display_name

# The largest id a BigAutoField holds. SQLite cannot even bind a larger integer (OverflowError,
# a 500), so a filter on an id refuses it as bad input before the query is built.
MAX_ID = 2**63 - 1


class LabelledFilterSet(django_filters.FilterSet):
    """A FilterSet whose controls carry their label as `aria-label`: filter bars show the
    controls without visible labels (the empty choice reads "All value streams" and the like),
    and a screen reader must still announce what each control filters."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return form


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """Filter on a related row's id: a whole number from 1 to 2**63-1, or a 400 with a message.

    (NumberFilter takes any decimal, so `?manager=1.5` or a 30-digit number reached the database.)
    """

    field_class = IdField


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter that compares in UTC.

    Python accepts UTC offsets up to +-23:59 but PostgreSQL only up to +-15:59, so a value such
    as `...+18:45` passed through as it came would be a database error; in UTC it is just a time.
    """

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)


class ValueStreamFilter(LabelledFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    manager = IdFilter(field_name="managers", label="Manager (user id)")

    class Meta:
        model = ValueStream
        fields = ["kind", "delivery_mode", "active", "slug"]


class QuarterFilter(django_filters.FilterSet):
    class Meta:
        model = Quarter
        fields = ["code", "status"]


class StrategicThemeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = StrategicTheme
        fields = ["active", "slug"]


class PersonFilter(django_filters.ModelChoiceFilter):
    """Filter on a user, offered by full name (the one naming rule, `portfolio.people`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "Anyone")
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = display_name
        return field
