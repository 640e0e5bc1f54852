"""Funding API: thin viewsets over the funding services and selectors.

Nothing financial is deleted (no DELETE routes). Directors write budgets, allocations,
guardrails and scenarios; managers of a value stream (and directors) write its teams and spend,
checked by the services; everyone logged in reads.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from funding import services
from funding.api import serializers as s
from funding.filters import AllocationFilter, BudgetFilter, GuardrailFilter, ScenarioFilter, SpendFilter, TeamFilter
from funding.models import Allocation, Guardrail, Scenario, Team
from funding.selectors.budgets import budget_list
from funding.selectors.scenarios import scenario_compare
from funding.selectors.spend import spend_list
from funding.selectors.teams import team_list
from portfolio.api.permissions import ReadOrDirector
from portfolio.filters.base import MAX_ID
from portfolio.selectors.base import quarter_from_code


class _ConflictAs409:
    """A write against a closed budget or a wrong transition answers 409."""

    def handle_exception(self, exc):
        if isinstance(exc, services.FundingConflict):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


class _FundingViewSet(
    _ConflictAs409,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD without delete (nothing financial is hard-deleted)."""

    def perform_update(self, serializer):
        serializer.save()
        # Re-read so computed fields (allocated, unallocated) reflect the change.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class BudgetViewSet(_FundingViewSet):
    serializer_class = s.BudgetSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = BudgetFilter
    ordering_fields = ["quarter__start", "id"]
    ordering = ["-quarter__start"]

    def get_queryset(self):
        return budget_list()

    @extend_schema(request=None, responses=s.BudgetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Draft -> approved (later changes need a revision with a reason)."""
        services.budget_approve(user=request.user, budget=self.get_object())
        return Response(s.BudgetSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=s.BudgetSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Approved -> closed (frozen)."""
        services.budget_close(user=request.user, budget=self.get_object())
        return Response(s.BudgetSerializer(self.get_queryset().get(pk=pk)).data)


class AllocationViewSet(_FundingViewSet):
    serializer_class = s.AllocationSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = AllocationFilter
    ordering_fields = ["value_stream__name", "amount_cents", "id"]
    ordering = ["value_stream__name"]

    def get_queryset(self):
        return Allocation.objects.all()

    @extend_schema(request=s.AllocationTransferSerializer, responses=s.AllocationSerializer(many=True))
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        """Move an amount from one value stream's allocation to another's in the same budget."""
        data = s.AllocationTransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        taken, given = services.allocation_transfer(
            user=request.user,
            budget=data.validated_data["budget"],
            source=data.validated_data["source"],
            target=data.validated_data["target"],
            amount_cents=data.validated_data["amount"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.AllocationSerializer([taken, given], many=True).data)


class GuardrailViewSet(_FundingViewSet):
    serializer_class = s.GuardrailSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = GuardrailFilter
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_queryset(self):
        return Guardrail.objects.all()


@extend_schema(
    parameters=[
        OpenApiParameter("quarter", str, description="Quarter code for the capacity figures (default: current).")
    ]
)
class TeamViewSet(_FundingViewSet):
    serializer_class = s.TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "value_stream__name", "id"]
    ordering = ["value_stream__name", "name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        quarter = quarter_from_code(code=self.request.query_params.get("quarter"))
        return team_list(quarter=quarter)


class SpendViewSet(
    _ConflictAs409, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Spend is recorded and voided, never edited or deleted."""

    serializer_class = s.SpendSerializer
    filterset_class = SpendFilter
    ordering_fields = ["month", "amount_cents", "id"]
    ordering = ["-month", "id"]

    def get_queryset(self):
        return spend_list()

    @extend_schema(request=None, responses=s.SpendSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        spend = services.spend_void(user=request.user, spend=self.get_object())
        return Response(s.SpendSerializer(spend).data)


class ScenarioViewSet(_FundingViewSet):
    serializer_class = s.ScenarioSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = ScenarioFilter
    ordering_fields = ["created_at", "name", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Scenario.objects.prefetch_related("lines")

    @extend_schema(request=s.ScenarioLineSerializer, responses=s.ScenarioLineSerializer)
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Set one value stream's amount in the scenario."""
        scenario = self.get_object()
        data = s.ScenarioLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.scenario_line_set(
            user=request.user,
            scenario=scenario,
            value_stream=data.validated_data["value_stream"],
            amount_cents=data.validated_data["amount_cents"],
        )
        return Response(s.ScenarioLineSerializer(line).data)

    @extend_schema(request=s.ScenarioCommitSerializer, responses=s.ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Make the scenario the budget's allocations (audited; one revision on an approved budget)."""
        data = s.ScenarioCommitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.scenario_commit(
            user=request.user, scenario=self.get_object(), reason=data.validated_data.get("reason", "")
        )
        return Response(s.ScenarioSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("ids", str, required=True, description="Comma-separated scenario ids, one budget.")
        ],
        responses=s.ScenarioCompareRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def compare(self, request):
        """Scenarios side by side per value stream: amount, delta, team capacity covered, epics funded."""
        raw = request.query_params.get("ids", "")
        try:
            ids = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise ValidationError({"ids": "Give scenario ids as integers separated by commas."}) from None
        if not 1 <= len(ids) <= 6:
            raise ValidationError({"ids": "Compare between 1 and 6 scenarios."})
        if not all(1 <= scenario_id <= MAX_ID for scenario_id in ids):
            raise ValidationError({"ids": "Unknown scenario id."})
        scenarios = list(Scenario.objects.select_related("budget__quarter").filter(pk__in=ids))
        if len(scenarios) != len(set(ids)):
            raise ValidationError({"ids": "Unknown scenario id."})
        if len({sc.budget_id for sc in scenarios}) != 1:
            raise ValidationError({"ids": "Compare scenarios of one budget."})
        scenarios.sort(key=lambda sc: ids.index(sc.pk))
        rows = scenario_compare(scenarios=scenarios)
        return Response(s.ScenarioCompareRowSerializer(rows, many=True).data)
