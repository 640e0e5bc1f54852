"""Funding API: thin viewsets over the funding services and selectors.

Nothing financial is deleted (no DELETE routes). Directors write budgets, allocations,
guardrails and scenarios; managers of a value stream (and directors) write its teams and spend,
checked by the services; everyone logged in reads.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.viewsets import AS_OF_PARAMETER, AsOfListMixin
from funding import services
from funding.api import serializers as s
from funding.filters import (
    AllocationFilter,
    BudgetFilter,
    GuardrailFilter,
    ScenarioFilter,
    SpendFilter,
    TeamFilter,
    TeamSprintFilter,
)
from funding.models import Allocation, Guardrail, PBSessionStatus, Scenario, Team
from funding.selectors.budgets import budget_list
from funding.selectors.history import allocations_as_of, budgets_as_of
from funding.selectors.optimise import OptimiseInput
from funding.selectors.participatory import (
    pb_outcome,
    pb_pledges_visible,
    pb_seat,
    pb_sessions_visible,
    pb_table_offers,
)
from funding.selectors.scenarios import scenario_compare
from funding.selectors.spend import spend_list
from funding.selectors.teams import team_list, team_sprints
from portfolio.api.history import HistoryMixin
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
    HistoryMixin,
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


@extend_schema_view(list=extend_schema(parameters=[AS_OF_PARAMETER]))
class BudgetViewSet(AsOfListMixin, _FundingViewSet):
    serializer_class = s.BudgetSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = BudgetFilter
    ordering_fields = ["quarter__start", "id"]
    ordering = ["-quarter__start"]

    as_of_serializer_class = s.BudgetSerializer
    as_of_filterset_class = BudgetFilter

    def get_queryset(self):
        return budget_list()

    def as_of_queryset(self, day):
        return budgets_as_of(day=day).order_by("-quarter__start", "id")

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


@extend_schema_view(list=extend_schema(parameters=[AS_OF_PARAMETER]))
class AllocationViewSet(AsOfListMixin, _FundingViewSet):
    serializer_class = s.AllocationSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = AllocationFilter
    ordering_fields = ["value_stream__name", "amount_cents", "id"]
    ordering = ["value_stream__name"]

    as_of_serializer_class = s.AllocationSerializer
    as_of_filterset_class = AllocationFilter

    def get_queryset(self):
        return Allocation.objects.all()

    def as_of_queryset(self, day):
        return allocations_as_of(day=day).order_by("value_stream__name", "id")

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


class TeamSprintViewSet(
    _ConflictAs409, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Sprints of fixed-cost teams: recorded by managers of the team's value stream and
    directors (checked by the service), read by everyone logged in; never edited or deleted."""

    serializer_class = s.TeamSprintSerializer
    filterset_class = TeamSprintFilter
    ordering_fields = ["start", "end", "id"]
    ordering = ["-start", "-id"]

    def get_queryset(self):
        return team_sprints()


class SpendViewSet(
    HistoryMixin,
    _ConflictAs409,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
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

    @extend_schema(request=s.OptimiseInputSerializer, responses=s.OptimiseResultSerializer)
    @action(detail=True, methods=["post"])
    def optimise(self, request, pk=None):
        """Fund the quarter's epics for the most cost of delay removed, exactly (HiGHS), as a new
        scenario compared with plain WSJF order; 400 naming the constraint when none fits."""
        data = s.OptimiseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        options = OptimiseInput(
            budget_cents=given.get("budget"),
            pin_in=frozenset(given.get("pin_in", [])),
            pin_out=frozenset(given.get("pin_out", [])),
            use_capacity=given["use_capacity"],
            use_guardrails=given["use_guardrails"],
        )
        scenario = Scenario.objects.select_related("budget__quarter").get(pk=self.get_object().pk)
        optimised = services.scenario_optimise(user=request.user, scenario=scenario, options=options)
        optimised = self.get_queryset().get(pk=optimised.pk)
        body = {"scenario": optimised, "optimisation": optimised.optimisation}
        return Response(s.OptimiseResultSerializer(body).data, status=status.HTTP_201_CREATED)

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


class PBSessionViewSet(
    HistoryMixin,
    _ConflictAs409,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Participatory budgeting sessions. A running session is visible to its participants and the
    directors; a closed one to everyone. `pledges` and `offers` show the caller's table only
    until the session closes; `outcome` answers once it closed."""

    serializer_class = s.PBSessionSerializer
    permission_classes = [ReadOrDirector]
    filterset_class = None
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return pb_sessions_visible(user=self.request.user)

    def get_permissions(self):
        # Pledging is the participants' (checked by the service), not the directors'.
        if self.action == "pledges":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(responses=s.PBOfferSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def offers(self, request, pk=None):
        """The epics on offer with the pooled pledges of the caller's table (none outside one)."""
        session = self.get_object()
        seat = pb_seat(user=request.user, session=session)
        offers = pb_table_offers(session=session, table_id=seat.table_id if seat else 0)
        return Response(s.PBOfferSerializer(offers, many=True).data)

    @extend_schema(methods=["GET"], responses=s.PBPledgeSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.PBPledgeInputSerializer, responses=s.PBPledgeSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def pledges(self, request, pk=None):
        """GET: the pledges the caller may see. POST: set the caller's pledge to an offer (0 takes it back)."""
        session = self.get_object()
        if request.method == "POST":
            data = s.PBPledgeInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            pledge = services.pb_pledge_set(
                user=request.user,
                session=session,
                offer_id=data.validated_data["offer"],
                amount_cents=data.validated_data["amount"],
            )
            pledge = pb_pledges_visible(user=request.user, session=session).get(pk=pledge.pk)
            return Response(s.PBPledgeSerializer(pledge).data)
        return Response(s.PBPledgeSerializer(pb_pledges_visible(user=request.user, session=session), many=True).data)

    @extend_schema(responses=s.PBOutcomeSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def outcome(self, request, pk=None):
        """Funded epics per table and overall, money per value stream, agreement (closed sessions)."""
        session = self.get_object()
        if session.status != PBSessionStatus.CLOSED:
            raise services.FundingConflict("The outcome is shown once the session closes.")
        return Response(s.PBOutcomeSerializer(pb_outcome(session=session)).data)

    def _director_write(self, write):
        session = write(user=self.request.user, session=self.get_object())
        return Response(s.PBSessionSerializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=None, responses=s.PBSessionSerializer)
    @action(detail=True, methods=["post"], url_path="close-round")
    def close_round(self, request, pk=None):
        """Return the pledges of epics their table did not fund; open the next round."""
        return self._director_write(services.pb_round_close)

    @extend_schema(request=None, responses=s.PBSessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """End the last round and the session."""
        return self._director_write(services.pb_session_close)

    @extend_schema(request=None, responses=s.ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def scenario(self, request, pk=None):
        """Turn the closed session's outcome into a funding scenario (commit it as any scenario)."""
        scenario = services.pb_scenario_create(user=request.user, session=self.get_object())
        return Response(s.ScenarioSerializer(Scenario.objects.prefetch_related("lines").get(pk=scenario.pk)).data)
