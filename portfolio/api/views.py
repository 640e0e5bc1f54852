from rest_framework import mixins, viewsets

from portfolio.api.permissions import ReadOrDirector
from portfolio.api.serializers import QuarterSerializer, StrategicThemeSerializer, ValueStreamSerializer
from portfolio.filters.base import QuarterFilter, StrategicThemeFilter, ValueStreamFilter
from portfolio.models import Quarter, StrategicTheme, ValueStream


class _NoDeleteViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD without delete: value streams and quarters are referenced by money and history,
    so they are deactivated or closed, never removed."""


class ValueStreamViewSet(_NoDeleteViewSet):
    queryset = ValueStream.objects.prefetch_related("managers")
    serializer_class = ValueStreamSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = ValueStreamFilter
    ordering_fields = ["name", "kind", "id"]
    ordering = ["name"]


class QuarterViewSet(_NoDeleteViewSet):
    queryset = Quarter.objects.all()
    serializer_class = QuarterSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = QuarterFilter
    ordering_fields = ["start", "code"]
    ordering = ["start"]


class StrategicThemeViewSet(_NoDeleteViewSet):
    queryset = StrategicTheme.objects.all()
    serializer_class = StrategicThemeSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = StrategicThemeFilter
    ordering_fields = ["name", "id"]
    ordering = ["name"]
