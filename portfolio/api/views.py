from core.viewsets import NoDeleteViewSet
from portfolio.api.permissions import ReadOrDirector
from portfolio.api.serializers import QuarterSerializer, StrategicThemeSerializer, ValueStreamSerializer
from portfolio.filters.base import QuarterFilter, StrategicThemeFilter, ValueStreamFilter
from portfolio.models import Quarter, StrategicTheme, ValueStream


class ValueStreamViewSet(NoDeleteViewSet):
    queryset = ValueStream.objects.prefetch_related("managers")
    serializer_class = ValueStreamSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = ValueStreamFilter
    ordering_fields = ["name", "kind", "id"]
    ordering = ["name"]


class QuarterViewSet(NoDeleteViewSet):
    queryset = Quarter.objects.all()
    serializer_class = QuarterSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = QuarterFilter
    ordering_fields = ["start", "code"]
    ordering = ["start"]


class StrategicThemeViewSet(NoDeleteViewSet):
    queryset = StrategicTheme.objects.all()
    serializer_class = StrategicThemeSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = StrategicThemeFilter
    ordering_fields = ["name", "id"]
    ordering = ["name"]
