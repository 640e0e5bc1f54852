"""API for what hangs off an epic: MMPs, dependencies and risks (the epics themselves are served
by the Kanban app, whose move command they need)."""

from django.contrib.auth import get_user_model
from rest_framework import serializers, viewsets

from core.viewsets import NoDeleteViewSet
from portfolio.api.fields import MoneyField
from portfolio.api.history import HistoryMixin
from portfolio.api.permissions import ReadOrRiskRecorder, ReadOrValueStreamManager
from portfolio.filters.epics import DependencyFilter, MMPFilter, RiskFilter
from portfolio.models import MMP, Dependency, Epic, Quarter, Risk, ValueStream
from portfolio.services import epics as services


class MMPSerializer(serializers.ModelSerializer):
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all())
    target_quarter = serializers.PrimaryKeyRelatedField(queryset=Quarter.objects.all(), allow_null=True, required=False)
    cost_estimate = MoneyField(source="cost_estimate_cents", allow_null=True, required=False)

    class Meta:
        model = MMP
        fields = [
            "id",
            "epic",
            "kind",
            "title",
            "description",
            "target_quarter",
            "status",
            "released_on",
            "cost_estimate",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.mmp_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.mmp_update(user=self.context["request"].user, mmp=instance, **validated_data)


class DependencySerializer(serializers.ModelSerializer):
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all())
    depends_on = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all())

    class Meta:
        model = Dependency
        fields = ["id", "epic", "depends_on", "description", "needed_by", "resolved", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the unique pair is checked by the service's full_clean (a 400 with a message)

    def create(self, validated_data):
        return services.dependency_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.dependency_update(user=self.context["request"].user, dependency=instance, **validated_data)


class RiskSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all(), required=False)
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all(), allow_null=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Risk
        fields = ["id", "value_stream", "epic", "title", "description", "roam_status", "owner", "raised_at"]
        read_only_fields = ["raised_at"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("epic") is None and attrs.get("value_stream") is None:
            raise serializers.ValidationError({"value_stream": "Name the value stream or the epic the risk is on."})
        return attrs

    def create(self, validated_data):
        return services.risk_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.risk_update(user=self.context["request"].user, risk=instance, **validated_data)


class MMPViewSet(HistoryMixin, NoDeleteViewSet):
    queryset = MMP.objects.select_related("epic")
    serializer_class = MMPSerializer
    permission_classes = [ReadOrValueStreamManager]
    filterset_class = MMPFilter
    ordering_fields = ["id", "target_quarter", "status"]
    ordering = ["epic_id", "id"]

    def value_stream_id_for(self, obj):
        return obj.epic.value_stream_id


class DependencyViewSet(viewsets.ModelViewSet):
    queryset = Dependency.objects.select_related("epic")
    serializer_class = DependencySerializer
    permission_classes = [ReadOrRiskRecorder]
    filterset_class = DependencyFilter
    ordering_fields = ["id", "needed_by"]
    ordering = ["id"]

    def value_stream_id_for(self, obj):
        return obj.epic.value_stream_id

    def perform_destroy(self, instance):
        services.dependency_delete(user=self.request.user, dependency=instance)


class RiskViewSet(HistoryMixin, NoDeleteViewSet):
    queryset = Risk.objects.all()
    serializer_class = RiskSerializer
    permission_classes = [ReadOrRiskRecorder]
    filterset_class = RiskFilter
    ordering_fields = ["raised_at", "id", "roam_status"]
    ordering = ["-raised_at", "id"]

    def value_stream_id_for(self, obj):
        return obj.value_stream_id
