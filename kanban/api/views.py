from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from kanban.api.serializers import (
    EpicMoveConflictSerializer,
    EpicMoveRefusedSerializer,
    EpicMoveSerializer,
    EpicSerializer,
    GoDecisionSerializer,
)
from kanban.services import MoveConflict, MoveRefused, epic_move
from portfolio.api.permissions import ReadOrValueStreamManager
from portfolio.filters.epics import EpicFilter
from portfolio.selectors.epics import epic_list
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


class EpicViewSet(
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
    filter_backends = [DjangoFilterBackend, NullsLastOrderingFilter]
    filterset_class = EpicFilter
    ordering_fields = ["wsjf", "cd3", "cost_of_delay", "job_size", "key", "title", "created_at", "state_changed_at"]
    # No default `ordering`: the queryset is already in WSJF rank order.

    def get_queryset(self):
        return epic_list()

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
