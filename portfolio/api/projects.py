"""`/api/project-plans/`, `/api/phases/`, `/api/milestones/`, `/api/stage-gates/` (+ `decide`):
project (waterfall) mode of an epic. Managers of the epic's value stream and directors keep the
plan; a stage gate is decided by a director or the project's sponsor. Nothing is deleted here:
a baseline and the decisions taken against it are the project's record. Earned value is served
by the Kanban app at `GET /api/epics/{id}/earned-value/` (it needs funding's actual cost)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.viewsets import NoDeleteViewSet
from portfolio.api.fields import MoneyField
from portfolio.api.permissions import ReadOrValueStreamManager
from portfolio.filters.epics import ProjectPartFilter
from portfolio.models import (
    Epic,
    GateDecision,
    Milestone,
    ProjectPhase,
    ProjectPlan,
    StageGate,
    StageGateDecision,
)
from portfolio.services import projects as services


class _EpicPartSerializer(serializers.ModelSerializer):
    """The epic is named on create and fixed after (a plan, phase or gate never changes epic)."""

    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all())

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            fields["epic"].read_only = True
        return fields


class ProjectPlanSerializer(_EpicPartSerializer):
    sponsor = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    baseline_budget = MoneyField(source="baseline_budget_cents", help_text="Budget at completion (BAC).")

    class Meta:
        model = ProjectPlan
        fields = ["id", "epic", "sponsor", "baseline_budget", "ev_method", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return services.project_plan_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("epic", None)
        return services.project_plan_update(user=self.context["request"].user, plan=instance, **validated_data)


class PhaseSerializer(_EpicPartSerializer):
    forecast_start = serializers.DateField(required=False, help_text="Defaults to the baseline start.")
    forecast_end = serializers.DateField(required=False, help_text="Defaults to the baseline end.")

    class Meta:
        model = ProjectPhase
        fields = [
            "id",
            "epic",
            "name",
            "position",
            "baseline_start",
            "baseline_end",
            "forecast_start",
            "forecast_end",
        ]

    def create(self, validated_data):
        return services.phase_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("epic", None)
        return services.phase_update(user=self.context["request"].user, phase=instance, **validated_data)


class MilestoneSerializer(_EpicPartSerializer):
    phase = serializers.PrimaryKeyRelatedField(queryset=ProjectPhase.objects.all(), allow_null=True, required=False)
    forecast_date = serializers.DateField(required=False, help_text="Defaults to the baseline date.")
    weight = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, help_text="Share of the budget it earns when completed."
    )

    class Meta:
        model = Milestone
        fields = ["id", "epic", "phase", "name", "baseline_date", "forecast_date", "completed_on", "weight"]

    def create(self, validated_data):
        return services.milestone_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("epic", None)
        return services.milestone_update(user=self.context["request"].user, milestone=instance, **validated_data)


class StageGateDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageGateDecision
        fields = ["id", "decision", "note", "decided_by", "decided_at"]
        read_only_fields = fields


class StageGateSerializer(_EpicPartSerializer):
    decisions = StageGateDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = StageGate
        fields = ["id", "epic", "key", "name", "position", "planned_date", "status", "decisions"]
        read_only_fields = ["status"]
        validators = []  # the unique key per epic is the service's check (a 400 with a message)

    def get_fields(self):
        fields = super().get_fields()
        if "epic" in fields and fields["epic"].read_only:
            fields["key"].read_only = True
        return fields

    def create(self, validated_data):
        return services.stage_gate_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.stage_gate_update(user=self.context["request"].user, gate=instance, **validated_data)


class GateDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=GateDecision.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class _EpicPartViewSet(NoDeleteViewSet):
    permission_classes = [ReadOrValueStreamManager]
    filterset_class = ProjectPartFilter
    ordering = ["id"]
    ordering_fields = ["id"]

    def value_stream_id_for(self, obj):
        return obj.epic.value_stream_id


class ProjectPlanViewSet(_EpicPartViewSet):
    """The baseline of a project-mode epic: budget at completion, sponsor, earned-value method.
    Creating one gives the epic the configured stage gates."""

    queryset = ProjectPlan.objects.select_related("epic")
    serializer_class = ProjectPlanSerializer


class PhaseViewSet(_EpicPartViewSet):
    """Phases of a project with baseline and forecast dates."""

    queryset = ProjectPhase.objects.select_related("epic")
    serializer_class = PhaseSerializer
    ordering = ["epic_id", "position", "baseline_start", "id"]
    ordering_fields = ["id", "position", "baseline_start"]


class MilestoneViewSet(_EpicPartViewSet):
    """Milestones of a project; `completed_on` records completion (earned value)."""

    queryset = Milestone.objects.select_related("epic")
    serializer_class = MilestoneSerializer
    ordering = ["epic_id", "baseline_date", "id"]
    ordering_fields = ["id", "baseline_date", "forecast_date"]


class StageGateViewSet(_EpicPartViewSet):
    """Stage gates of a project; `POST {id}/decide/` approves or rejects (director or sponsor)."""

    queryset = StageGate.objects.select_related("epic").prefetch_related("decisions")
    serializer_class = StageGateSerializer
    ordering = ["epic_id", "position", "id"]
    ordering_fields = ["id", "position"]

    @extend_schema(request=GateDecideSerializer, responses={200: StageGateSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or reject the gate with a note (a rejection needs one); the record keeps who
        and when. Only a VMO director or the project's sponsor (403 for anyone else)."""
        # Not get_object(): its object permission is the plan keepers' rule, and a sponsor who
        # manages no stream decides too; the service is this command's permission gate.
        gate = get_object_or_404(self.get_queryset(), pk=pk)
        data = GateDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.stage_gate_decide(user=request.user, gate_id=gate.id, **data.validated_data)
        return Response(StageGateSerializer(self.get_queryset().get(id=gate.id)).data)
