from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # a non-numeric id is a 404, not a ValueError
from rest_framework.response import Response

from core.viewsets import AS_OF_PARAMETER, AsOfListMixin, NoDeleteViewSet
from okrs import services
from okrs.api.serializers import (
    CheckInSerializer,
    KeyResultAsOfSerializer,
    KeyResultBenefitSerializer,
    KeyResultSerializer,
    ObjectiveSerializer,
)
from okrs.filters import KeyResultAsOfFilter, KeyResultFilter, ObjectiveFilter
from okrs.models import CheckIn, KeyResult, KeyResultBenefit, Objective
from okrs.permissions import can_check_in, can_manage_objective
from okrs.selectors import key_results_as_of, key_results_scored
from portfolio.api.history import HistoryMixin


class ObjectiveViewSet(HistoryMixin, NoDeleteViewSet):
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    ordering_fields = ["title", "id", "score"]
    ordering = ["id"]

    def get_queryset(self):
        return Objective.objects.with_scores()

    def perform_update(self, serializer):
        if not can_manage_objective(self.request.user, serializer.instance):
            raise PermissionDenied("Only the owners of this objective's scope may change it.")
        serializer.save()


@extend_schema_view(list=extend_schema(parameters=[AS_OF_PARAMETER]))
class KeyResultViewSet(HistoryMixin, AsOfListMixin, NoDeleteViewSet):
    serializer_class = KeyResultSerializer
    filterset_class = KeyResultFilter
    ordering_fields = ["id", "title", "grade_value", "progress_value"]
    ordering = ["id"]

    as_of_serializer_class = KeyResultAsOfSerializer
    as_of_filterset_class = KeyResultAsOfFilter

    def get_queryset(self):
        return key_results_scored().prefetch_related("epics", "mmps")

    def as_of_queryset(self, day):
        return key_results_as_of(day=day).order_by("id")

    def perform_update(self, serializer):
        if not can_check_in(self.request.user, serializer.instance):
            raise PermissionDenied("Only the managers of this objective's value stream (or directors) may change it.")
        serializer.save()

    @extend_schema(request=CheckInSerializer, responses={200: CheckInSerializer(many=True), 201: CheckInSerializer})
    @action(detail=True, methods=["get", "post"], url_path="check-ins")
    def check_ins(self, request, pk=None):
        """GET: the KR's check-ins, oldest first. POST: record one (value, confidence 0-10, note,
        optional date); the KR's `current` and `confidence` follow the latest check-in."""
        key_result = get_object_or_404(KeyResult.objects.select_related("objective"), pk=pk)
        if request.method == "GET":
            rows = CheckIn.objects.filter(key_result=key_result).order_by("date", "id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(CheckInSerializer(page, many=True).data)
        if not can_check_in(request.user, key_result):
            raise PermissionDenied("Only the managers of this key result's value stream (or directors) check in.")
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_record(key_result=key_result, author=request.user, **serializer.validated_data)
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=KeyResultBenefitSerializer,
        responses={200: KeyResultBenefitSerializer(many=True), 201: KeyResultBenefitSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="benefits")
    def benefits(self, request, pk=None):
        """GET: the benefit hypotheses serving this key result. POST `{"benefit": id}`: tie a
        benefit to it (replacing the benefit's earlier key result). Managers of the benefit's value
        stream and directors; the key result must be that stream's or a portfolio objective's."""
        key_result = get_object_or_404(KeyResult.objects.select_related("objective"), pk=pk)
        if request.method == "GET":
            rows = KeyResultBenefit.objects.filter(key_result=key_result).order_by("benefit_id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(KeyResultBenefitSerializer(page, many=True).data)
        serializer = KeyResultBenefitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.benefit_key_result_set(
            user=request.user, benefit=serializer.validated_data["benefit"], key_result=key_result
        )
        return Response(KeyResultBenefitSerializer(link).data, status=status.HTTP_201_CREATED)
