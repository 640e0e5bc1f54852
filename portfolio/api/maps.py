"""`/api/value-stream-maps/` and `/api/map-stages/`: value stream maps and their stages.

Everyone logged in reads; the stream's managers and directors write (the services decide)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.viewsets import NoDeleteViewSet
from portfolio.filters.maps import MapStageFilter, ValueStreamMapFilter
from portfolio.models import MapStage, ValueStream, ValueStreamMap
from portfolio.selectors.maps import map_figures, map_list, stage_list
from portfolio.services import maps as services


class MapStageSerializer(serializers.ModelSerializer):
    map = serializers.PrimaryKeyRelatedField(queryset=ValueStreamMap.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    tool_statuses = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=50,
        required=False,
        help_text="The tool status names (Jira status, GitHub/GitLab label or state, the work-item API's "
        "`tool_status`) that belong to this stage; any case, stored lower case; one stage per status in a map.",
    )
    typed_process_hours = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=0, allow_null=True, required=False
    )
    typed_wait_hours = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=0, allow_null=True, required=False
    )
    complete_accurate_pct = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)

    class Meta:
        model = MapStage
        fields = [
            "id",
            "map",
            "position",
            "name",
            "owner",
            "tool_statuses",
            "typed_process_hours",
            "typed_wait_hours",
            "complete_accurate_pct",
        ]

    def validate_map(self, value):
        if self.instance is not None and value.pk != self.instance.map_id:
            raise serializers.ValidationError("A stage stays in its map.")
        return value

    def create(self, validated_data):
        return services.stage_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("map", None)
        return services.stage_update(user=self.context["request"].user, stage=instance, **validated_data)


class ValueStreamMapSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    stages = serializers.SerializerMethodField()

    class Meta:
        model = ValueStreamMap
        fields = ["id", "value_stream", "state", "title", "notes", "window_days", "stages", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("value_stream", "state"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "A map keeps its value stream and state."})
        return attrs

    def get_stages(self, obj) -> list[int]:
        # Prefetched by the selector (one query for all maps of the page).
        return [stage.pk for stage in obj.stages.all()]

    def create(self, validated_data):
        return services.map_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        for name in ("value_stream", "state"):
            validated_data.pop(name, None)
        return services.map_update(user=self.context["request"].user, vsm=instance, **validated_data)


class StageFiguresSerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="stage.pk")
    name = serializers.CharField(source="stage.name")
    position = serializers.IntegerField(source="stage.position")
    source = serializers.CharField(allow_null=True, help_text="history, typed, or null (no data).")
    items = serializers.IntegerField(help_text="Work items with a recorded stay in the stage.")
    process_hours = serializers.FloatField(allow_null=True)
    wait_hours = serializers.FloatField(allow_null=True)
    lead_hours = serializers.FloatField(allow_null=True)
    handoffs_per_item = serializers.FloatField(allow_null=True)
    complete_accurate = serializers.FloatField(allow_null=True, help_text="%C&A as 0..1.")
    dominant_waste = serializers.CharField(allow_null=True, help_text="waiting, rework, handoffs or null.")
    bottleneck = serializers.BooleanField()


class MapFiguresSerializer(serializers.Serializer):
    map = serializers.IntegerField(source="map.pk")
    state = serializers.CharField(source="map.state")
    lead_hours = serializers.FloatField(allow_null=True)
    process_hours = serializers.FloatField(allow_null=True)
    flow_efficiency = serializers.FloatField(allow_null=True)
    rolled_complete_accurate = serializers.FloatField(allow_null=True)
    bottleneck = serializers.IntegerField(source="bottleneck.stage.pk", allow_null=True, default=None)
    stages = StageFiguresSerializer(many=True)


class ValueStreamMapViewSet(NoDeleteViewSet):
    """Current- and future-state maps (one of each per stream); `stages` lists stage ids in order.
    A map is kept (its stages change or go); it is removed, if ever, in the admin."""

    serializer_class = ValueStreamMapSerializer
    filterset_class = ValueStreamMapFilter
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_queryset(self):
        return map_list()

    @extend_schema(responses=MapFiguresSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def figures(self, request, pk=None):
        """The map's figures now (definitions on /metrics/#vsm_stage_times)."""
        return Response(MapFiguresSerializer(map_figures(vsm=self.get_object())).data)


class MapStageViewSet(viewsets.ModelViewSet):
    """Stages of maps, in position order."""

    serializer_class = MapStageSerializer
    filterset_class = MapStageFilter
    ordering_fields = ["id", "position"]
    ordering = ["map_id", "position", "id"]

    def get_queryset(self):
        return stage_list()

    def perform_destroy(self, instance):
        services.stage_delete(user=self.request.user, stage=instance)
