"""The epic FilterSet, shared by the Kanban board, the scoring page and `/api/epics/`."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from portfolio.filters.base import IdFilter
from portfolio.models import MMP, Dependency, Epic, EpicKind, EpicState, Quarter, Risk, StrategicTheme, ValueStream


class EpicFilter(django_filters.FilterSet):
    value_stream = django_filters.ModelChoiceFilter(
        queryset=ValueStream.objects.all(), label="Value stream", empty_label="All value streams"
    )
    state = django_filters.MultipleChoiceFilter(choices=EpicState.choices)
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=StrategicTheme.objects.all(), label="Theme", empty_label="All themes"
    )
    kind = django_filters.ChoiceFilter(choices=EpicKind.choices, empty_label="All kinds")
    owner = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(is_active=True), label="Owner", empty_label="Any owner"
    )
    target_quarter = django_filters.ModelChoiceFilter(queryset=Quarter.objects.all(), label="Target quarter")
    q = django_filters.CharFilter(
        method="search", label="Search", widget=forms.TextInput(attrs={"placeholder": "Search key, title, text"})
    )

    class Meta:
        model = Epic
        fields = ["value_stream", "state", "theme", "kind", "owner", "target_quarter", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(key__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value))


class MMPFilter(django_filters.FilterSet):
    value_stream = IdFilter(field_name="epic__value_stream", label="Value stream (id)")

    class Meta:
        model = MMP
        fields = ["epic", "kind", "status", "target_quarter", "value_stream"]


class DependencyFilter(django_filters.FilterSet):
    class Meta:
        model = Dependency
        fields = ["epic", "depends_on", "resolved"]


class RiskFilter(django_filters.FilterSet):
    class Meta:
        model = Risk
        fields = ["value_stream", "epic", "roam_status", "owner"]
