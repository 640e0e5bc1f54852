"""`/api/work-items/`, `/api/deployments/`, `/api/incidents/`: list, filter, and bulk upsert.

POST takes one object or a JSON array of up to 1,000. The batch is validated as a whole and
written all or nothing by the service (idempotent by source and external id); errors come back
per row (`rows: [{index, errors}]`). A value stream manager may write only into the value
streams they manage, and that holds for every row of a batch.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.bulk_input import fast_rows
from portfolio.filters.base import MAX_ID
from portfolio.filters.delivery import DeploymentFilter, IncidentFilter, WorkItemFilter
from portfolio.models import Deployment, FlowItemType, Incident, Source, WorkItem, WorkItemStatus
from portfolio.services import delivery as services

# --- output ---------------------------------------------------------------------------------


class WorkItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkItem
        fields = [
            "id",
            "value_stream",
            "epic",
            "mmp",
            "source",
            "external_id",
            "title",
            "item_type",
            "size",
            "status",
            "tool_status",
            "created_at",
            "started_at",
            "finished_at",
            "status_changed_at",
            "active_seconds",
            "waiting_seconds",
        ]
        read_only_fields = fields


class DeploymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deployment
        fields = [
            "id",
            "value_stream",
            "source",
            "external_id",
            "environment",
            "deployed_at",
            "first_commit_at",
            "succeeded",
        ]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "value_stream", "source", "external_id", "title", "opened_at", "resolved_at", "deployment"]
        read_only_fields = fields


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


# --- input (plain fields: references are resolved set-based by the service) ----------------


def _id_field(name: str, *, required: bool = False):
    # Bounded to what a BigAutoField holds: SQLite cannot even bind a larger integer.
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, source=f"{name}_id", required=required, allow_null=not required
    )


class _KeyInput(serializers.Serializer):
    value_stream = _id_field("value_stream", required=True)
    source = serializers.ChoiceField(choices=Source.choices)
    external_id = serializers.CharField(max_length=200)
    source_updated_at = serializers.DateTimeField(
        required=False,
        help_text="When the tool last changed the row; a row older than the stored one changes nothing.",
    )


class WorkItemInputSerializer(_KeyInput):
    epic = _id_field("epic")
    mmp = _id_field("mmp")
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    item_type = serializers.ChoiceField(choices=FlowItemType.choices, required=False)
    size = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=WorkItemStatus.choices)
    tool_status = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The tool's own status name (any case); value stream map stages are sets of these, and a "
        "change of it is recorded in the item's status history even when `status` stays the same.",
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    status_changed_at = serializers.DateTimeField(required=False)
    active_seconds = serializers.IntegerField(min_value=0, required=False)
    waiting_seconds = serializers.IntegerField(min_value=0, required=False)

    def validate(self, attrs):
        started, finished = attrs.get("started_at"), attrs.get("finished_at")
        if started and finished and finished < started:
            raise serializers.ValidationError({"finished_at": "An item finishes after it starts."})
        if attrs["status"] == WorkItemStatus.DONE and not finished:
            raise serializers.ValidationError({"finished_at": "A done item needs finished_at."})
        if started and started < attrs["created_at"]:
            raise serializers.ValidationError({"started_at": "An item starts after it is created."})
        return attrs


class DeploymentInputSerializer(_KeyInput):
    environment = serializers.CharField(max_length=60, required=False)
    deployed_at = serializers.DateTimeField()
    first_commit_at = serializers.DateTimeField(required=False, allow_null=True)
    succeeded = serializers.BooleanField(required=False)


class IncidentInputSerializer(_KeyInput):
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    opened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(required=False, allow_null=True)
    deployment = _id_field("deployment")


def _indexed(errors) -> dict[int, dict]:
    """Per-row errors of a list serializer, whichever format DRF uses (list, or dict by index)."""
    if isinstance(errors, dict):
        if all(str(key).isdigit() for key in errors):
            return {int(key): value for key, value in errors.items()}
        return {0: errors}
    return {index: value for index, value in enumerate(errors) if value}


def _rows_error(errors: dict[int, dict], total: int) -> Response:
    rows = [{"index": index, "errors": errors[index]} for index in sorted(errors)]
    return Response(
        {"detail": f"{len(rows)} of {total} rows are invalid; nothing was written.", "rows": rows},
        status=status.HTTP_400_BAD_REQUEST,
    )


class _DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and filter for everyone logged in; POST upserts one object or a batch."""

    input_serializer_class: type[serializers.Serializer]
    upsert = None
    ordering = ["-id"]

    def create(self, request, *args, **kwargs):
        data = request.data
        many = isinstance(data, list)
        limit = getattr(settings, "DELIVERY_BULK_MAX_ROWS", services.MAX_ROWS)
        if many and not 1 <= len(data) <= limit:
            return Response(
                {"detail": f"Send one object or an array of 1 to {limit} objects."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A batch of plain rows is checked without DRF's per-field machinery; anything unusual
        # (and every invalid batch) goes through the serializer for its messages.
        rows = fast_rows(self.input_serializer_class, data) if many else None
        if rows is None:
            serializer = self.input_serializer_class(data=data, many=many)
            if not serializer.is_valid():
                if many:
                    return _rows_error(_indexed(serializer.errors), len(data))
                return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
            rows = [dict(row) for row in serializer.validated_data] if many else [dict(serializer.validated_data)]
        try:
            result = type(self).upsert(rows=rows, user=request.user)
        except services.BulkValidationError as exc:
            if many:
                return _rows_error(exc.rows, len(rows))
            return Response(exc.rows[0], status=status.HTTP_400_BAD_REQUEST)
        if many:
            body = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
            return Response({**body, "ids": result.ids}, status=status.HTTP_200_OK)
        obj = self.get_queryset().get(id=result.ids[0])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(obj).data, status=code)


_BULK_DOC = "One object (answers the stored row, 201 when new) or an array of up to 1,000 (answers counts)."


@extend_schema(tags=["delivery"])
class WorkItemViewSet(_DeliveryViewSet):
    queryset = WorkItem.objects.all()
    serializer_class = WorkItemSerializer
    input_serializer_class = WorkItemInputSerializer
    filterset_class = WorkItemFilter
    ordering_fields = ["id", "created_at", "finished_at"]
    upsert = staticmethod(services.work_items_upsert)

    @extend_schema(
        request=WorkItemInputSerializer,
        responses={201: WorkItemSerializer, 200: OpenApiResponse(BulkResultSerializer, description=_BULK_DOC)},
        description=_BULK_DOC,
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["delivery"])
class DeploymentViewSet(_DeliveryViewSet):
    queryset = Deployment.objects.all()
    serializer_class = DeploymentSerializer
    input_serializer_class = DeploymentInputSerializer
    filterset_class = DeploymentFilter
    ordering_fields = ["id", "deployed_at"]
    upsert = staticmethod(services.deployments_upsert)

    @extend_schema(
        request=DeploymentInputSerializer,
        responses={201: DeploymentSerializer, 200: OpenApiResponse(BulkResultSerializer, description=_BULK_DOC)},
        description=_BULK_DOC,
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["delivery"])
class IncidentViewSet(_DeliveryViewSet):
    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer
    input_serializer_class = IncidentInputSerializer
    filterset_class = IncidentFilter
    ordering_fields = ["id", "opened_at"]
    upsert = staticmethod(services.incidents_upsert)

    @extend_schema(
        request=IncidentInputSerializer,
        responses={201: IncidentSerializer, 200: OpenApiResponse(BulkResultSerializer, description=_BULK_DOC)},
        description=_BULK_DOC,
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
