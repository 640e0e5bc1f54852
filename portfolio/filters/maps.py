import django_filters

from portfolio.models import MapStage, MapState, ValueStreamMap


class ValueStreamMapFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MapState.choices)

    class Meta:
        model = ValueStreamMap
        fields = ["value_stream", "state"]


class MapStageFilter(django_filters.FilterSet):
    value_stream = django_filters.NumberFilter(field_name="map__value_stream")

    class Meta:
        model = MapStage
        fields = ["map"]
