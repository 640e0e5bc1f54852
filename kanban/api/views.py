import functools

from django.db import connections, router
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from core.api import QuietFilterBackend
from core.compiled import CompiledValues
from core.viewsets import AS_OF_PARAMETER, AsOfListMixin
from funding.selectors.earned_value import epic_earned_value
from funding.selectors.economics import epic_economics
from kanban.api.serializers import (
    EPIC_LIST_COLUMNS,
    EarnedValueQuerySerializer,
    EpicAsOfSerializer,
    EpicEarnedValueSerializer,
    EpicEconomicsSerializer,
    EpicListSerializer,
    EpicMoveConflictSerializer,
    EpicMoveRefusedSerializer,
    EpicMoveSerializer,
    EpicSerializer,
    GoDecisionSerializer,
    MvpEvaluationSerializer,
    epic_list_rows,
)
from kanban.services import MoveConflict, MoveRefused, epic_move, mvp_evaluation_record
from portfolio.api.history import HistoryMixin
from portfolio.api.permissions import ReadOrValueStreamManager
from portfolio.filters.epics import EpicAsOfFilter, EpicFilter
from portfolio.models import Epic
from portfolio.querysets import RANK_ORDER
from portfolio.selectors.epics import epic_list, epic_list_plain, epic_list_values, theme_ids_attach
from portfolio.selectors.history import epics_as_of
from portfolio.services.epics import epic_go_decision_record


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=` with unscored (NULL) values last on every backend, then id for stable pages.

    PostgreSQL sorts NULLs first in descending order and SQLite last; a client must not see
    the order change with the database.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = [
            F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc(nulls_last=True)
            for term in ordering
        ]
        return queryset.order_by(*terms, "id")


# The query parameters that choose the page, not the rows: the statements are kept per slice.
PAGING_PARAMS = frozenset({"page", "page_size"})


@functools.cache
def plain_list_rows(vendor: str):
    """The list's rows as plain values, built once per process and database vendor and cloned
    per request (`.all()`, as DRF does with a class-level queryset): resolving the rank and cd3
    annotations and the theme-id subquery again for every request cost about as much as the
    database's work on a 20-row page."""
    return epic_list_values(epic_list_plain(), *EPIC_LIST_COLUMNS)


class EpicViewSet(
    HistoryMixin,
    AsOfListMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Epics ranked by WSJF (unscored last) unless `ordering` asks otherwise.

    Epics are never deleted (they carry cost and history): move them to not pursued.
    """

    serializer_class = EpicSerializer
    permission_classes = [ReadOrValueStreamManager]
    filter_backends = [QuietFilterBackend, NullsLastOrderingFilter]
    filterset_class = EpicFilter
    ordering_fields = ["wsjf", "cd3", "cost_of_delay", "job_size", "key", "title", "created_at", "state_changed_at"]
    # No default `ordering`: the queryset is already in WSJF rank order.

    as_of_serializer_class = EpicAsOfSerializer
    as_of_filterset_class = EpicAsOfFilter

    def get_queryset(self):
        if self.plain_list():
            return plain_list_rows(connections[router.db_for_read(Epic)].vendor).all()
        return epic_list()

    def plain_list(self) -> bool:
        """A list read as plain values: not `?expand=business_case`, not `?as_of=`."""
        return (
            self.action == "list"
            and self.request.query_params.get("expand") != "business_case"
            and self.as_of_day() is None
        )

    def as_of_queryset(self, day):
        return epics_as_of(day=day).select_related("value_stream", "owner", "target_quarter").order_by(*RANK_ORDER)

    @extend_schema(
        parameters=[
            AS_OF_PARAMETER,
            OpenApiParameter(
                "expand",
                str,
                enum=["business_case"],
                description="`business_case`: each row carries the whole epic, business case included, "
                "as the detail does.",
            ),
        ],
        responses={200: EpicListSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        """Epics in rank order, a list row each (no business case unless `?expand=business_case`).

        The rows come from `.values()` rather than model instances: serialising 500 full
        epics spent several times the database's time in Python."""
        if not self.plain_list():
            # Whole epics, or the epics as they stood on `?as_of=` (AsOfListMixin).
            return super().list(request, *args, **kwargs)
        # Filters are validated as ever (a bad one is a 400); the count's and the page's SQL is
        # compiled once per query string: this list reads nothing of the user or the clock.
        queryset = self.filter_queryset(self.get_queryset())
        shape = tuple(sorted((k, tuple(v)) for k, v in request.query_params.lists() if k not in PAGING_PARAMS))
        page = self.paginate_queryset(CompiledValues(queryset, key=("epic-list", shape)))
        return self.get_paginated_response(epic_list_rows(theme_ids_attach(page)))

    def value_stream_id_for(self, obj):
        return obj.value_stream_id

    @extend_schema(
        request=EpicMoveSerializer,
        responses={
            200: EpicSerializer,
            400: OpenApiResponse(EpicMoveRefusedSerializer, description="Entry policies or WIP limits refuse it."),
            409: OpenApiResponse(EpicMoveConflictSerializer, description="Stale version: nothing changed."),
        },
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the epic to another column: `to_state`, the `version` you saw, and a `reason`."""
        epic = self.get_object()
        data = EpicMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            epic_move(epic_id=epic.id, user=request.user, **data.validated_data)
        except MoveConflict as exc:
            body = {"detail": str(exc), "state": exc.state, "version": exc.version}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except MoveRefused as exc:
            body = {"detail": "The move was refused; nothing changed.", "conditions": exc.conditions}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(EpicSerializer(self.get_queryset().get(id=epic.id), context={"request": request}).data)

    @extend_schema(request=GoDecisionSerializer, responses={200: EpicSerializer})
    @action(detail=True, methods=["post"], url_path="go-decision")
    def go_decision(self, request, pk=None):
        """Record the go decision for the portfolio backlog (a director's when the cost is above
        the approval threshold)."""
        epic = self.get_object()
        data = GoDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        epic_go_decision_record(user=request.user, epic=epic, note=data.validated_data["note"])
        return Response(EpicSerializer(self.get_queryset().get(id=epic.id), context={"request": request}).data)

    @extend_schema(responses={200: EpicEconomicsSerializer})
    @action(detail=True, methods=["get"])
    def economics(self, request, pk=None):
        """Estimate, actual to date, forecast at completion, variance, planned and realised benefit
        and the return on the money (the rules and assumptions are on /metrics/)."""
        epic = self.get_object()
        figures = epic_economics(epic_id=epic.id, as_of=timezone.localdate())
        return Response(EpicEconomicsSerializer(figures).data)

    @extend_schema(
        parameters=[EarnedValueQuerySerializer],
        responses={
            200: EpicEarnedValueSerializer,
            404: OpenApiResponse(description="No such epic, or no project plan."),
        },
    )
    @action(detail=True, methods=["get"], url_path="earned-value")
    def earned_value(self, request, pk=None):
        """Earned value of a project-mode epic on a day: PV, EV, AC, SPI, CPI, EAC and RAG."""
        epic = self.get_object()
        query = EarnedValueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = epic_earned_value(epic_id=epic.id, as_of=query.validated_data.get("as_of") or timezone.localdate())
        if figures is None:
            raise NotFound("This epic has no project plan (POST /api/project-plans/ to baseline it).")
        return Response(EpicEarnedValueSerializer(figures).data)

    @extend_schema(
        request=MvpEvaluationSerializer,
        responses={
            200: EpicSerializer,
            400: OpenApiResponse(EpicMoveRefusedSerializer, description="Invalid, or the move was refused."),
        },
    )
    @action(detail=True, methods=["post"], url_path="mvp-evaluation")
    def mvp_evaluation(self, request, pk=None):
        """Record a released MVP's result and the decision (persevere, pivot, stop), which moves
        the card: pivot back to analyzing, stop to not pursued."""
        epic = self.get_object()
        data = MvpEvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            mvp_evaluation_record(
                user=request.user,
                epic_id=epic.id,
                mmp_id=values["mmp"],
                result=values["result"],
                evidence=values["evidence"],
                decision=values["decision"],
                reason=values["reason"],
            )
        except MoveRefused as exc:
            body = {"detail": "The move was refused; nothing changed.", "conditions": exc.conditions}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(EpicSerializer(self.get_queryset().get(id=epic.id), context={"request": request}).data)
