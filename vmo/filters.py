"""FilterSets for the VMO backlog and planning events, shared by the pages and the API."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from portfolio.filters.base import PersonFilter
from vmo.models import ActionItem, ActionItemStatus, PlanningEvent, Priority
from vmo.selectors.backlog import OPEN_STATUSES

ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class ActionItemFilter(django_filters.FilterSet):
    owner = PersonFilter(queryset=get_user_model().objects.filter(is_active=True).order_by("username"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    status = django_filters.MultipleChoiceFilter(choices=ActionItemStatus.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Overdue", widget=forms.Select(choices=ANY_YES_NO)
    )
    open = django_filters.BooleanFilter(
        method="filter_open", label="Open or in progress", widget=forms.Select(choices=ANY_YES_NO)
    )

    class Meta:
        model = ActionItem
        fields = ["owner", "value_stream", "source_event", "horizon", "workshop"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"due__lt": timezone.localdate(), "status__in": OPEN_STATUSES}
        if value is None:
            return queryset
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)


class PlanningEventFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(field_name="quarter__code", label="Quarter code (2026-Q3)")

    class Meta:
        model = PlanningEvent
        fields = ["kind", "status"]
