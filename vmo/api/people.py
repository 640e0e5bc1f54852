"""API for issue 20's people and obstacles: `/api/executive-action-teams/`, `/api/stream-roles/`,
`/api/impediments/` (+ `escalate/`, `resolve/`), `/api/customer-feedback/`, `/api/release-trains/`,
`/api/program-increments/` (with their predictability) and `/api/pi-objectives/`.

Every write goes through the service in `vmo.services.people`, the permission gate shared with
the pages; its PermissionDenied is a 403 and its ValidationError a 400.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.viewsets import NoDeleteViewSet
from funding.selectors.teams import teams_of_value_streams
from portfolio.models import MMP, Epic, Quarter, ValueStream
from vmo.models_people import (
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    StreamRole,
)
from vmo.selectors.people import customer_feedback_list, impediment_list, predictability_of, program_increment_list
from vmo.services import people as services

User = get_user_model()


def _users():
    return User.objects.filter(is_active=True)


class Authenticated(permissions.IsAuthenticated):
    """Everyone logged in reads; the services decide who writes."""


class ExecutiveActionTeamSerializer(serializers.ModelSerializer):
    quarter = serializers.PrimaryKeyRelatedField(queryset=Quarter.objects.all())
    members = serializers.PrimaryKeyRelatedField(many=True, queryset=_users(), required=False)
    obstacles = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ExecutiveActionTeam
        fields = ["id", "quarter", "charter", "members", "obstacles", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if self.instance is not None and "quarter" in attrs and attrs["quarter"] != self.instance.quarter:
            raise serializers.ValidationError({"quarter": "The quarter of a team cannot change."})
        return attrs

    def create(self, validated_data):
        return services.executive_action_team_set(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.executive_action_team_set(
            user=self.context["request"].user,
            quarter=instance.quarter,
            charter=validated_data.get("charter", instance.charter),
            members=validated_data.get("members"),
        )


class ExecutiveActionTeamViewSet(NoDeleteViewSet):
    """One executive action team per quarter: members, charter, the impediments escalated to it."""

    serializer_class = ExecutiveActionTeamSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["quarter"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return ExecutiveActionTeam.objects.prefetch_related("members", "obstacles")


class StreamRoleSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    team = serializers.PrimaryKeyRelatedField(queryset=teams_of_value_streams(), allow_null=True, required=False)
    user = serializers.PrimaryKeyRelatedField(queryset=_users())

    class Meta:
        model = StreamRole
        fields = ["id", "value_stream", "team", "user", "role"]
        validators = []  # the conditional unique constraints are the service's to report

    def create(self, validated_data):
        return services.stream_role_assign(
            user=self.context["request"].user,
            value_stream=validated_data["value_stream"],
            person=validated_data["user"],
            role=validated_data["role"],
            team=validated_data.get("team"),
        )


class StreamRoleViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Team roles (product owner, scrum master, team member) and VMO liaisons per value stream.
    They invite people to events; they grant no permission."""

    serializer_class = StreamRoleSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["value_stream", "team", "role", "user"]
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_queryset(self):
        return StreamRole.objects.all()

    def perform_destroy(self, instance):
        services.stream_role_remove(user=self.request.user, assignment=instance)


class ImpedimentSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    team = serializers.PrimaryKeyRelatedField(queryset=teams_of_value_streams(), allow_null=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), allow_null=True, required=False)

    class Meta:
        model = Impediment
        fields = [
            "id",
            "title",
            "description",
            "value_stream",
            "team",
            "severity",
            "raised_by",
            "raised_on",
            "owner",
            "escalated_to",
            "escalated_at",
            "resolved_on",
            "resolution",
        ]
        read_only_fields = ["raised_by", "raised_on", "escalated_to", "escalated_at", "resolved_on", "resolution"]

    def validate(self, attrs):
        if (
            self.instance is not None
            and "value_stream" in attrs
            and attrs["value_stream"] != self.instance.value_stream
        ):
            raise serializers.ValidationError({"value_stream": "Raise a new impediment for another stream."})
        return attrs

    def create(self, validated_data):
        return services.impediment_raise(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("value_stream", None)
        return services.impediment_update(user=self.context["request"].user, impediment=instance, **validated_data)


class ImpedimentResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ImpedimentViewSet(NoDeleteViewSet):
    """The impediment log. Anyone raises; `escalate/` hands one to the executive action team of
    the current quarter (directors and program managers); `resolve/` closes it."""

    serializer_class = ImpedimentSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["value_stream", "team", "severity", "escalated_to"]
    ordering_fields = ["id", "raised_on", "severity"]
    ordering = ["id"]

    def get_queryset(self):
        return impediment_list()

    def _reload(self, pk):
        return ImpedimentSerializer(impediment_list().get(pk=pk), context={"request": self.request}).data

    @extend_schema(request=None, responses={200: ImpedimentSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        impediment = get_object_or_404(Impediment, pk=pk)
        services.impediment_escalate(user=request.user, impediment=impediment)
        return Response(self._reload(impediment.pk))

    @extend_schema(request=ImpedimentResolveSerializer, responses={200: ImpedimentSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        impediment = get_object_or_404(Impediment, pk=pk)
        data = ImpedimentResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.impediment_resolve(user=request.user, impediment=impediment, **data.validated_data)
        return Response(self._reload(impediment.pk))


class CustomerFeedbackSerializer(serializers.ModelSerializer):
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all(), allow_null=True, required=False)
    mmp = serializers.PrimaryKeyRelatedField(queryset=MMP.objects.all(), allow_null=True, required=False)

    class Meta:
        model = CustomerFeedback
        fields = ["id", "epic", "mmp", "source", "received_on", "sentiment", "quote", "recorded_by", "created_at"]
        read_only_fields = ["recorded_by", "created_at"]

    def create(self, validated_data):
        return services.customer_feedback_record(user=self.context["request"].user, **validated_data)


class CustomerFeedbackViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Customer feedback notes on epics and MMPs (source, date, sentiment, quote)."""

    serializer_class = CustomerFeedbackSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["epic", "mmp", "sentiment"]
    ordering_fields = ["id", "received_on"]
    ordering = ["-received_on", "-id"]

    def get_queryset(self):
        return customer_feedback_list()


class ReleaseTrainSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    teams = serializers.PrimaryKeyRelatedField(many=True, queryset=teams_of_value_streams(), required=False)

    class Meta:
        model = ReleaseTrain
        fields = ["id", "value_stream", "name", "teams", "active"]
        validators = []

    def validate(self, attrs):
        if (
            self.instance is not None
            and "value_stream" in attrs
            and attrs["value_stream"] != self.instance.value_stream
        ):
            raise serializers.ValidationError({"value_stream": "A train stays in its value stream."})
        return attrs

    def create(self, validated_data):
        validated_data.pop("active", None)
        return services.release_train_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.release_train_update(
            user=self.context["request"].user,
            train=instance,
            name=validated_data.get("name"),
            teams=validated_data.get("teams"),
            active=validated_data.get("active"),
        )


class ReleaseTrainViewSet(NoDeleteViewSet):
    """Optional release trains grouping a stream's teams; inactive, never deleted."""

    serializer_class = ReleaseTrainSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["value_stream", "active"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]

    def get_queryset(self):
        return ReleaseTrain.objects.prefetch_related("teams")


class ProgramIncrementSerializer(serializers.ModelSerializer):
    train = serializers.PrimaryKeyRelatedField(queryset=ReleaseTrain.objects.select_related("value_stream"))
    planned_value = serializers.SerializerMethodField()
    actual_value = serializers.SerializerMethodField()
    predictability = serializers.SerializerMethodField()

    class Meta:
        model = ProgramIncrement
        fields = ["id", "train", "name", "start", "end", "planned_value", "actual_value", "predictability"]

    @extend_schema_field(serializers.IntegerField())
    def get_planned_value(self, obj) -> int:
        return getattr(obj, "planned", 0)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_actual_value(self, obj) -> int | None:
        return obj.delivered if getattr(obj, "scored", 0) else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_predictability(self, obj) -> float | None:
        """Actual / planned business value of the increment's objectives; null until one is scored."""
        figures = predictability_of(obj) if hasattr(obj, "scored") else None
        return figures.ratio if figures else None

    def create(self, validated_data):
        return services.program_increment_create(user=self.context["request"].user, **validated_data)


class ProgramIncrementViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Program increments of release trains with their predictability (computed in the query)."""

    serializer_class = ProgramIncrementSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["train"]
    ordering_fields = ["id", "start"]
    ordering = ["id"]

    def get_queryset(self):
        return program_increment_list()

    def perform_create(self, serializer):
        increment = serializer.save()
        serializer.instance = program_increment_list().get(pk=increment.pk)


class PIObjectiveSerializer(serializers.ModelSerializer):
    increment = serializers.PrimaryKeyRelatedField(queryset=ProgramIncrement.objects.select_related("train"))
    team = serializers.PrimaryKeyRelatedField(queryset=teams_of_value_streams(), allow_null=True, required=False)
    planned_value = serializers.IntegerField(min_value=1, max_value=10)
    actual_value = serializers.IntegerField(min_value=0, max_value=10, allow_null=True, required=False)

    class Meta:
        model = PIObjective
        fields = ["id", "increment", "team", "title", "planned_value", "actual_value"]

    def validate(self, attrs):
        if self.instance is not None and set(attrs) - {"actual_value"}:
            raise serializers.ValidationError("Only the actual business value of an objective changes once planned.")
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        user = self.context["request"].user
        actual = validated_data.pop("actual_value", None)
        objective = services.pi_objective_add(user=user, **validated_data)
        if actual is not None:
            objective = services.pi_objective_score(user=user, objective=objective, actual_value=actual)
        return objective

    def update(self, instance, validated_data):
        return services.pi_objective_score(
            user=self.context["request"].user, objective=instance, actual_value=validated_data.get("actual_value")
        )


class PIObjectiveViewSet(NoDeleteViewSet):
    """Objectives of program increments: planned business value (1-10) at PI planning, actual
    (0-10) when the business owners score them (PATCH `actual_value`)."""

    serializer_class = PIObjectiveSerializer
    permission_classes = [Authenticated]
    filterset_fields = ["increment", "team"]
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_queryset(self):
        return PIObjective.objects.select_related("increment__train")
