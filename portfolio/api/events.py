"""Event subscriptions in the API: directors register receivers and read the delivery log."""

from django.core.validators import URLValidator
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action

from portfolio.models import EventDelivery, EventDeliveryAttempt, EventSubscription, EventType
from portfolio.permissions import is_director
from portfolio.services import events as services

RECEIVER_GUIDE = """Each event is POSTed as JSON to the subscription's URL:
`{"id": <event id>, "type": "epic.moved", "occurred_at": "<ISO 8601>", "data": {...}}`
with the headers `X-VMO-Event` (the type), `X-VMO-Delivery` (the delivery id, the same on every
retry of it) and `X-VMO-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` is
HMAC-SHA256 keyed with the subscription's secret over the bytes `<t>` + `.` + the raw body.
A receiver recomputes it, compares in constant time and refuses a `t` older than five minutes.
Any 2xx answer is a delivery; anything else (or no answer within the timeout) is retried with
exponential backoff, and a subscription is disabled after too many consecutive failures until a
director turns it back on (`active: true`). Event types: """ + ", ".join(f"`{value}`" for value in EventType.values)


class IsDirector(permissions.BasePermission):
    """Subscriptions and their log name other systems' URLs: directors only, reads included."""

    message = "Only VMO directors may manage event subscriptions."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_director(request.user))


class EventSubscriptionSerializer(serializers.ModelSerializer):
    url = serializers.URLField(
        max_length=500, validators=[URLValidator(schemes=["http", "https"])], help_text="http or https only."
    )
    secret = serializers.CharField(
        write_only=True,
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Signs every delivery (see the description). Write-only; blank on update keeps it.",
    )
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), min_length=1)

    class Meta:
        model = EventSubscription
        fields = [
            "id",
            "name",
            "url",
            "secret",
            "event_types",
            "active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("secret"):
            raise serializers.ValidationError({"secret": "A new subscription needs a secret."})
        return attrs


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventDeliveryAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]


class EventDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.event_type")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    attempt_log = DeliveryAttemptSerializer(many=True)

    class Meta:
        model = EventDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "occurred_at",
            "status",
            "attempts",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "attempt_log",
        ]


@extend_schema_view(
    list=extend_schema(description=RECEIVER_GUIDE),
    create=extend_schema(description=RECEIVER_GUIDE),
)
class EventSubscriptionViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Outbound event subscriptions (directors). The secret is write-only."""

    queryset = EventSubscription.objects.order_by("name", "id")
    serializer_class = EventSubscriptionSerializer
    permission_classes = [IsDirector]
    filterset_fields = ["active"]
    ordering_fields = ["name", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.subscription_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.subscription_update(
            user=self.request.user, subscription=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.subscription_delete(user=self.request.user, subscription=instance)

    @extend_schema(
        summary="The delivery log of this subscription",
        description="Newest first: each delivery's status and every attempt with its status code.",
        responses=EventDeliverySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        rows = (
            EventDelivery.objects.filter(subscription=subscription)
            .select_related("event")
            .prefetch_related(Prefetch("attempt_log", queryset=EventDeliveryAttempt.objects.order_by("-id")))
            .order_by("-id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EventDeliverySerializer(page, many=True).data)
