"""API for the VMO backlog (`/api/action-items/`) and planning events (`/api/planning-events/`)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # a non-numeric id is a 404, not a ValueError
from rest_framework.response import Response

from funding.selectors.teams import team_list
from portfolio.api.fields import MoneyField
from portfolio.models import MMP, Dependency, Risk
from vmo.filters import ActionItemFilter, PlanningEventFilter
from vmo.models import ActionItem, AgendaItem, CommunicationItem, PlannedMMP, PlanningEvent
from vmo.permissions import can_change_action_item, can_keep_vmo_backlog, can_run_planning
from vmo.selectors.backlog import action_item_list
from vmo.selectors.planning import planning_event_list
from vmo.services import backlog as backlog_services
from vmo.services import planning as planning_services

User = get_user_model()


class ActionItemSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    is_ready = serializers.BooleanField(read_only=True)
    days_open = serializers.IntegerField(read_only=True, help_text="Days since created, to closing if closed.")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "due",
            "status",
            "priority",
            "rank",
            "source_event",
            "value_stream",
            "horizon",
            "workshop",
            "map_stage",
            "is_overdue",
            "is_ready",
            "days_open",
            "created_by",
            "created_at",
            "closed_at",
        ]
        read_only_fields = ["created_by", "created_at", "closed_at", "workshop"]
        extra_kwargs = {"rank": {"required": False}}

    def validate(self, attrs):
        if (
            self.instance is not None
            and "source_event" in attrs
            and attrs["source_event"] != self.instance.source_event
        ):
            raise serializers.ValidationError({"source_event": "The source event of an item cannot change."})
        event = attrs.get("source_event")
        if self.instance is None and event is not None and event.status == "closed":
            raise serializers.ValidationError({"source_event": "This event is closed; its outputs are frozen."})
        return attrs

    def create(self, validated_data):
        item = backlog_services.action_item_create(created_by=self.context["request"].user, **validated_data)
        return action_item_list().get(pk=item.pk)

    def update(self, instance, validated_data):
        validated_data.pop("source_event", None)
        user = self.context["request"].user
        if not can_keep_vmo_backlog(user) and set(validated_data) - {"status"}:
            raise PermissionDenied("As the item's owner you may change its status only.")
        item = backlog_services.action_item_update(item=instance, **validated_data)
        return action_item_list().get(pk=item.pk)


class ActionItemPermission(permissions.BasePermission):
    message = "Directors, program managers and executives keep the VMO backlog; owners move their items' status."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return can_keep_vmo_backlog(request.user)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or can_change_action_item(request.user, obj)


class ActionItemViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The VMO backlog. Items are dropped (status), never deleted."""

    serializer_class = ActionItemSerializer
    permission_classes = [ActionItemPermission]
    filterset_class = ActionItemFilter
    ordering_fields = ["rank", "priority", "due", "id", "created_at"]
    ordering = ["rank", "priority", "due", "id"]

    def get_queryset(self):
        return action_item_list()


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "text", "done"]


class CommunicationItemSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = CommunicationItem
        fields = ["id", "audience", "message", "channel", "owner", "date"]


class PlannedMMPSerializer(serializers.ModelSerializer):
    mmp = serializers.PrimaryKeyRelatedField(queryset=MMP.objects.all())
    cost = MoneyField(source="cost_cents", read_only=True, allow_null=True)

    class Meta:
        model = PlannedMMP
        fields = ["id", "mmp", "cost"]


class PlanningEventSerializer(serializers.ModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), required=False
    )
    risks = serializers.PrimaryKeyRelatedField(many=True, queryset=Risk.objects.all(), required=False)
    dependencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Dependency.objects.all(), required=False)
    team = serializers.PrimaryKeyRelatedField(
        queryset=team_list(), allow_null=True, required=False, help_text="A team's retrospective only."
    )
    action_item_count = serializers.IntegerField(read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    communications = CommunicationItemSerializer(many=True, read_only=True)
    planned_mmps = PlannedMMPSerializer(many=True, read_only=True)

    class Meta:
        model = PlanningEvent
        fields = [
            "id",
            "kind",
            "quarter",
            "title",
            "date",
            "attendees",
            "notes",
            "status",
            "closed_at",
            "previous_results",
            "plan_snapshot",
            "risks",
            "dependencies",
            "team",
            "action_item_count",
            "agenda",
            "communications",
            "planned_mmps",
        ]
        read_only_fields = ["status", "closed_at", "previous_results", "plan_snapshot"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("kind", "quarter", "team"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "This cannot change once the event exists."})
        return attrs

    def _reload(self, event):
        return _events().get(pk=event.pk)

    def create(self, validated_data):
        risks = validated_data.pop("risks", [])
        dependencies = validated_data.pop("dependencies", [])
        event = planning_services.planning_event_create(created_by=self.context["request"].user, **validated_data)
        if risks or dependencies:
            planning_services.planning_event_link(event=event, risks=risks, dependencies=dependencies)
        return self._reload(event)

    def update(self, instance, validated_data):
        risks = validated_data.pop("risks", None)
        dependencies = validated_data.pop("dependencies", None)
        validated_data.pop("kind", None)
        validated_data.pop("quarter", None)
        validated_data.pop("team", None)
        event = planning_services.planning_event_update(event=instance, **validated_data)
        if risks or dependencies:
            planning_services.planning_event_link(event=event, risks=risks or [], dependencies=dependencies or [])
        return self._reload(event)


def _events():
    return planning_event_list().prefetch_related(
        "attendees", "risks", "dependencies", "agenda", "communications", "planned_mmps"
    )


class PlannerOrRead(permissions.BasePermission):
    message = "Directors and program managers run planning events."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or can_run_planning(request.user)


class PlanningEventViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Planning events with their outputs; `POST .../close/` keeps the plan in `plan_snapshot`."""

    serializer_class = PlanningEventSerializer
    permission_classes = [PlannerOrRead]
    filterset_class = PlanningEventFilter
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return _events()

    @extend_schema(request=None, responses={200: PlanningEventSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        event = get_object_or_404(PlanningEvent, pk=pk)
        planning_services.planning_event_close(event=event)
        return Response(PlanningEventSerializer(_events().get(pk=pk), context={"request": request}).data)

    @extend_schema(request=CommunicationItemSerializer, responses={201: CommunicationItemSerializer})
    @action(detail=True, methods=["post"])
    def communications(self, request, pk=None):
        """Add a line to the event's communication plan (audience, message, channel, owner, date)."""
        event = get_object_or_404(PlanningEvent, pk=pk)
        serializer = CommunicationItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = planning_services.communication_item_add(event=event, **serializer.validated_data)
        return Response(CommunicationItemSerializer(item).data, status=201)

    @extend_schema(request=PlannedMMPSerializer, responses={201: PlannedMMPSerializer})
    @action(detail=True, methods=["post"], url_path="planned-mmps")
    def planned_mmps(self, request, pk=None):
        """Select an MMP for the quarter; its cost is frozen as estimated now."""
        event = get_object_or_404(PlanningEvent, pk=pk)
        serializer = PlannedMMPSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        planned = planning_services.planned_mmp_add(event=event, mmp=serializer.validated_data["mmp"])
        return Response(PlannedMMPSerializer(planned).data, status=201)
