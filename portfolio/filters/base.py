"""FilterSets shared by the pages and the API."""

import django_filters

from portfolio.models import Quarter, StrategicTheme, ValueStream


class ValueStreamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    manager = django_filters.NumberFilter(field_name="managers", label="Manager (user id)")

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
