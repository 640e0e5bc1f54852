"""FilterSets for objectives and key results, shared by the pages and the API."""

import django_filters

from okrs.models import KeyResult, Objective
from portfolio.filters.base import IdFilter


class ObjectiveFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(field_name="quarter__code", label="Quarter code (2026-Q3)")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = Objective
        fields = ["level", "value_stream", "owner", "theme", "parent"]


class KeyResultFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(field_name="objective__quarter__code", label="Quarter code (2026-Q3)")
    value_stream = IdFilter(field_name="objective__value_stream", label="Value stream id")
    epic = IdFilter(field_name="epics", label="Linked epic id")

    class Meta:
        model = KeyResult
        fields = ["objective", "direction", "commitment"]


class KeyResultAsOfFilter(django_filters.FilterSet):
    """The key-result filters on history rows (`?as_of=`): links to epics are not history-tracked."""

    quarter = KeyResultFilter.base_filters["quarter"]
    value_stream = KeyResultFilter.base_filters["value_stream"]

    class Meta:
        model = KeyResult.history.model
        fields = ["objective", "direction", "commitment"]
