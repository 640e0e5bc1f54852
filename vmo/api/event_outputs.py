"""API for what events record beyond planning outputs: `agenda-items` (timeboxes: planned and
actual minutes), `system-demos`, `problem-workshops` (+ `POST .../{id}/improvements/` puts an
improvement item into the VMO backlog), `retrospective-notes`. Everyone reads; directors and
program managers write (the services are the gate); nothing here is deleted."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from portfolio.models import Epic
from vmo.api.planning import ActionItemSerializer, PlannerOrRead
from vmo.models import (
    MINUTES_IN_A_DAY,
    AgendaItem,
    BacklogHorizon,
    PlanningEvent,
    Priority,
    ProblemWorkshop,
    RetroNote,
    SystemDemo,
)
from vmo.selectors.backlog import action_item_list
from vmo.selectors.event_outputs import quarter_results
from vmo.services import event_outputs as services

User = get_user_model()


def _users():
    return User.objects.filter(is_active=True)


def _minutes(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MINUTES_IN_A_DAY, allow_null=True, required=False, **kwargs)


class AgendaLineSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(queryset=PlanningEvent.objects.all())
    planned_minutes = _minutes()
    actual_minutes = _minutes()

    class Meta:
        model = AgendaItem
        fields = ["id", "event", "position", "text", "done", "planned_minutes", "actual_minutes"]
        read_only_fields = ["position", "done"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("event", "text"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "Only the planned and actual minutes change here."})
        return attrs

    def create(self, validated_data):
        validated_data.pop("actual_minutes", None)
        return services.agenda_item_add(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        times = {k: validated_data[k] for k in ("planned_minutes", "actual_minutes") if k in validated_data}
        return services.agenda_item_set_time(item=instance, by=self.context["request"].user, **times)


class _CreateReadViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    permission_classes = [PlannerOrRead]
    filterset_fields = ["event"]
    ordering_fields = ["id"]
    ordering = ["id"]


class AgendaItemViewSet(mixins.UpdateModelMixin, _CreateReadViewSet):
    """Agenda lines with their timebox; `PATCH` sets `planned_minutes` / `actual_minutes`."""

    serializer_class = AgendaLineSerializer
    ordering_fields = ["event", "position", "id"]
    ordering = ["event", "position"]

    def get_queryset(self):
        return AgendaItem.objects.all()


class SystemDemoSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(queryset=PlanningEvent.objects.all())
    presented_by = serializers.PrimaryKeyRelatedField(queryset=_users(), allow_null=True, required=False)
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all(), allow_null=True, required=False)

    class Meta:
        model = SystemDemo
        fields = ["id", "event", "shown", "epic", "presented_by", "feedback", "created_at"]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.system_demo_add(by=self.context["request"].user, **validated_data)


class SystemDemoViewSet(_CreateReadViewSet):
    """What an inspect and adapt's system demo showed, by whom, and the feedback."""

    serializer_class = SystemDemoSerializer

    def get_queryset(self):
        return SystemDemo.objects.all()


class ProblemWorkshopSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(queryset=PlanningEvent.objects.all())
    improvements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProblemWorkshop
        fields = ["id", "event", "problem", "root_causes", "improvements", "created_at"]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.problem_workshop_add(by=self.context["request"].user, **validated_data)


class ImprovementItemSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), allow_null=True, required=False)
    due = serializers.DateField(allow_null=True, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    horizon = serializers.ChoiceField(choices=BacklogHorizon.choices, required=False)


class ProblemWorkshopViewSet(_CreateReadViewSet):
    """Problems of an inspect and adapt's problem-solving workshop with their root causes; the
    improvement items are VMO backlog items (`action-items?workshop=`)."""

    serializer_class = ProblemWorkshopSerializer

    def get_queryset(self):
        return ProblemWorkshop.objects.prefetch_related("improvements")

    @extend_schema(request=ImprovementItemSerializer, responses={201: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def improvements(self, request, pk=None):
        """Put an improvement item into the VMO backlog (long-term unless `horizon` says so)."""
        workshop = get_object_or_404(ProblemWorkshop.objects.select_related("event"), pk=pk)
        serializer = ImprovementItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.improvement_item_add(workshop=workshop, by=request.user, **serializer.validated_data)
        return Response(
            ActionItemSerializer(action_item_list().get(pk=item.pk), context={"request": request}).data, status=201
        )


class RetroNoteSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(queryset=PlanningEvent.objects.all())

    class Meta:
        model = RetroNote
        fields = ["id", "event", "kind", "text", "author", "created_at"]
        read_only_fields = ["author", "created_at"]

    def create(self, validated_data):
        return services.retro_note_add(by=self.context["request"].user, **validated_data)


class RetroNoteViewSet(_CreateReadViewSet):
    """What went well and what to improve, in a retrospective or an inspect and adapt."""

    serializer_class = RetroNoteSerializer
    filterset_fields = ["event", "kind"]

    def get_queryset(self):
        return RetroNote.objects.all()


class ResultFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    now = serializers.JSONField(allow_null=True, help_text="This quarter's figure; null without data.")
    before = serializers.JSONField(allow_null=True, help_text="Last quarter's figure; null without data.")
    trend = serializers.CharField(help_text='"better", "worse", "same" or "" (no comparison).')


class StreamResultsSerializer(serializers.Serializer):
    value_stream_id = serializers.IntegerField()
    name = serializers.CharField()
    planned_business_value = serializers.IntegerField(allow_null=True)
    delivered_business_value = serializers.IntegerField(allow_null=True)
    figures = ResultFigureSerializer(many=True)


class ObjectiveGradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    level = serializers.CharField()
    value_stream = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)


class QuarterResultsSerializer(serializers.Serializer):
    quarter = serializers.CharField(source="quarter.code", help_text="The event's quarter (2026-Q3).")
    previous = serializers.CharField(source="previous.code", allow_null=True, help_text="Last quarter; null if none.")
    streams = StreamResultsSerializer(many=True)
    objectives = ObjectiveGradeSerializer(many=True)


class EventResultsView(GenericAPIView):
    """The results an event inspects: its quarter's figures per value stream against last
    quarter (from the rollup snapshots) and the quarter's OKR grades."""

    serializer_class = QuarterResultsSerializer
    queryset = PlanningEvent.objects.select_related("quarter")

    @extend_schema(responses={200: QuarterResultsSerializer})
    def get(self, request, pk: int):
        event = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(QuarterResultsSerializer(quarter_results(quarter=event.quarter)).data)
