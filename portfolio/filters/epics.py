"""The epic FilterSet, shared by the Kanban board, the scoring page and `/api/epics/`."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.widgets import FastSelect
from portfolio.filters.base import IdFilter, LabelledFilterSet, PersonFilter
from portfolio.models import (
    MMP,
    BenefitHypothesis,
    BenefitKind,
    BenefitMeasurement,
    Dependency,
    Epic,
    EpicKind,
    EpicState,
    Quarter,
    Risk,
    StrategicTheme,
    ValueStream,
)


class EpicFilter(LabelledFilterSet):
    # The filter bar's selects are written by `FastSelect` from rows of just the fields their
    # options show: on the Kanban board, hundreds of value streams rendered one template include
    # per option from full model instances cost more than every card on the board.
    value_stream = django_filters.ModelChoiceFilter(
        queryset=ValueStream.objects.only("id", "name"),
        label="Value stream",
        empty_label="All value streams",
        widget=FastSelect,
    )
    state = django_filters.MultipleChoiceFilter(choices=EpicState.choices)
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=StrategicTheme.objects.only("id", "name"),
        label="Theme",
        empty_label="All themes",
        widget=FastSelect,
    )
    kind = django_filters.ChoiceFilter(choices=EpicKind.choices, empty_label="All kinds", widget=FastSelect)
    owner = PersonFilter(
        queryset=get_user_model().objects.filter(is_active=True).only("id", "first_name", "last_name", "username"),
        label="Owner",
        empty_label="Any owner",
        widget=FastSelect,
    )
    target_quarter = django_filters.ModelChoiceFilter(
        queryset=Quarter.objects.all(), label="Target quarter", empty_label="Any quarter", widget=FastSelect
    )
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


class BenefitFilter(django_filters.FilterSet):
    epic = IdFilter(field_name="epic_id", label="Epic id")
    mmp = IdFilter(field_name="mmp_id", label="MVP/MMP id")
    value_stream = IdFilter(field_name="epic__value_stream_id", label="Value stream id")
    kind = django_filters.ChoiceFilter(choices=BenefitKind.choices)

    class Meta:
        model = BenefitHypothesis
        fields = ["epic", "mmp", "value_stream", "kind"]


class BenefitMeasurementFilter(django_filters.FilterSet):
    benefit = IdFilter(field_name="benefit_id", label="Benefit id")
    epic = IdFilter(field_name="benefit__epic_id", label="Epic id")
    value_stream = IdFilter(field_name="benefit__epic__value_stream_id", label="Value stream id")
    measured_after = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte")
    measured_before = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte")

    class Meta:
        model = BenefitMeasurement
        fields = ["benefit", "epic", "value_stream"]


class EpicAsOfFilter(django_filters.FilterSet):
    """The epic filters on history rows (`?as_of=`): themes are not history-tracked, so no theme."""

    value_stream = EpicFilter.base_filters["value_stream"]
    state = EpicFilter.base_filters["state"]
    kind = EpicFilter.base_filters["kind"]
    owner = EpicFilter.base_filters["owner"]
    target_quarter = EpicFilter.base_filters["target_quarter"]
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Epic.history.model
        fields = ["value_stream", "state", "kind", "owner", "target_quarter", "q"]

    search = EpicFilter.search


class ProjectPartFilter(django_filters.FilterSet):
    """Phases, milestones, stage gates and plans: by epic or value stream."""

    epic = IdFilter(field_name="epic_id", label="Epic id")
    value_stream = IdFilter(field_name="epic__value_stream_id", label="Value stream id")
