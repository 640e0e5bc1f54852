"""The board's rules through the API: WIP limits and entry-policy options (directors write).

Writes go through `kanban.policies` (the permission gate and the audit row); everyone logged in
reads, as on the board.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from kanban import policies
from kanban.models import ENTRY_CHECKS, EntryCheck, WipLimit
from kanban.selectors import entry_policy_rows, wip_limit_list
from portfolio.api.permissions import ReadOrDirector
from portfolio.models import EpicState, ValueStream


class WipLimitSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=[(s, EpicState(s).label) for s in policies.WIP_STATES])
    value_stream = serializers.PrimaryKeyRelatedField(
        queryset=ValueStream.objects.all(), allow_null=True, required=False, help_text="Null: the whole portfolio."
    )
    limit = serializers.IntegerField(min_value=1, max_value=100000)

    class Meta:
        model = WipLimit
        fields = ["id", "state", "value_stream", "limit"]
        # The service upserts by (state, value stream); the model's partial unique constraints
        # would otherwise refuse a POST that names an existing column.
        validators = []

    def create(self, validated_data):
        return policies.wip_limit_set(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return policies.wip_limit_set(
            user=self.context["request"].user,
            state=instance.state,
            value_stream=instance.value_stream,
            limit=validated_data.get("limit", instance.limit),
        )


class WipLimitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """WIP limits per column, portfolio-wide or per value stream. POST sets the limit of a column
    (replacing the one it had); PATCH changes `limit` only; DELETE removes the limit."""

    serializer_class = WipLimitSerializer
    permission_classes = [ReadOrDirector]
    pagination_class = None  # a handful of rows: columns x (portfolio + streams)

    def get_queryset(self):
        return wip_limit_list()

    def perform_destroy(self, instance):
        policies.wip_limit_set(
            user=self.request.user, state=instance.state, value_stream=instance.value_stream, limit=None
        )


class EntryPolicySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s, EpicState(s).label) for s in ENTRY_CHECKS])
    check = serializers.ChoiceField(choices=EntryCheck.choices)
    label = serializers.CharField(read_only=True)
    required = serializers.BooleanField()

    def validate(self, attrs):
        if attrs["check"] not in ENTRY_CHECKS[attrs["state"]]:
            raise serializers.ValidationError({"check": "This check does not guard that column."})
        return attrs


class EntryPolicyViewSet(viewsets.GenericViewSet):
    """The optional entry-policy checks of each column and whether they apply. POST
    `{state, check, required}` switches one on or off."""

    serializer_class = EntryPolicySerializer
    permission_classes = [ReadOrDirector]
    pagination_class = None

    def get_queryset(self):  # for the schema only; the rows are a catalogue, not a table
        return WipLimit.objects.none()

    def list(self, request):
        return Response(EntryPolicySerializer(entry_policy_rows(), many=True).data)

    @extend_schema(responses={200: EntryPolicySerializer})
    def create(self, request):
        serializer = EntryPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        policies.entry_policy_set(
            user=request.user, state=data["state"], check=data["check"], required=data["required"]
        )
        row = next(r for r in entry_policy_rows() if (r.state, r.check) == (data["state"], data["check"]))
        return Response(EntryPolicySerializer(row).data, status=status.HTTP_200_OK)
