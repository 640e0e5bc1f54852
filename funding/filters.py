"""FilterSets shared by the funding pages and the API."""

import django_filters

from funding.models import Allocation, Guardrail, QuarterBudget, Scenario, Spend, Team, TeamSprint
from portfolio.filters.base import LabelledFilterSet


class BudgetFilter(django_filters.FilterSet):
    quarter_code = django_filters.CharFilter(field_name="quarter__code", label="Quarter code (2026-Q3)")

    class Meta:
        model = QuarterBudget
        fields = ["quarter", "status"]


class AllocationFilter(django_filters.FilterSet):
    quarter_code = django_filters.CharFilter(field_name="budget__quarter__code", label="Quarter code (2026-Q3)")

    class Meta:
        model = Allocation
        fields = ["budget", "value_stream"]


class GuardrailFilter(django_filters.FilterSet):
    quarter_code = django_filters.CharFilter(field_name="budget__quarter__code", label="Quarter code (2026-Q3)")

    class Meta:
        model = Guardrail
        fields = ["budget"]


class TeamFilter(django_filters.FilterSet):
    class Meta:
        model = Team
        fields = ["value_stream", "active"]


class TeamSprintFilter(django_filters.FilterSet):
    ends_from = django_filters.DateFilter(field_name="end", lookup_expr="gte")
    ends_to = django_filters.DateFilter(field_name="end", lookup_expr="lte")

    class Meta:
        model = TeamSprint
        fields = ["team", "team__value_stream"]


class SpendFilter(LabelledFilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")
    voided = django_filters.BooleanFilter(field_name="voided_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Spend
        fields = ["value_stream", "category", "epic", "source"]


class ScenarioFilter(django_filters.FilterSet):
    quarter_code = django_filters.CharFilter(field_name="budget__quarter__code", label="Quarter code (2026-Q3)")

    class Meta:
        model = Scenario
        fields = ["budget"]
