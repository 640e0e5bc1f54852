"""FilterSets for delivery data (work items, deployments, incidents), for pages and the API."""

import django_filters

from portfolio.filters.base import IdFilter, UTCDateTimeFilter
from portfolio.models import Deployment, Incident, WorkItem


def _id(name: str) -> IdFilter:
    # A plain id filter: no query to validate the id first (list endpoints keep a fixed count).
    return IdFilter(field_name=f"{name}_id")


class WorkItemFilter(django_filters.FilterSet):
    value_stream = _id("value_stream")
    epic = _id("epic")
    mmp = _id("mmp")
    finished_after = UTCDateTimeFilter(field_name="finished_at", lookup_expr="gte")
    finished_before = UTCDateTimeFilter(field_name="finished_at", lookup_expr="lt")

    class Meta:
        model = WorkItem
        fields = ["value_stream", "epic", "mmp", "source", "external_id", "item_type", "status"]


class DeploymentFilter(django_filters.FilterSet):
    value_stream = _id("value_stream")
    deployed_after = UTCDateTimeFilter(field_name="deployed_at", lookup_expr="gte")
    deployed_before = UTCDateTimeFilter(field_name="deployed_at", lookup_expr="lt")

    class Meta:
        model = Deployment
        fields = ["value_stream", "source", "external_id", "environment", "succeeded"]


class IncidentFilter(django_filters.FilterSet):
    value_stream = _id("value_stream")
    deployment = _id("deployment")
    opened_after = UTCDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = UTCDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    resolved = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Incident
        fields = ["value_stream", "source", "external_id", "deployment"]
