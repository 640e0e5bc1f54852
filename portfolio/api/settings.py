"""Settings through the API: display settings, webhook source rules and status mappings, the
"test this payload" preview and the settings audit log. Writes go through
`portfolio.services.settings` (the director gate and the audit row); the audit log and the
preview are the directors' alone."""

from django.conf import settings as django_settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio.api.permissions import ReadOrDirector
from portfolio.models import OrgSettings, SettingChange, Source, SourceRule, StatusMapping, ValueStream
from portfolio.permissions import is_director
from portfolio.selectors.settings import org_settings, setting_changes, settings_source_rules, settings_status_mappings
from portfolio.services import settings as services
from portfolio.services.ingestion import PayloadInvalid


class IsDirector(permissions.BasePermission):
    message = services.DIRECTORS_ONLY

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_director(request.user))


class OrgSettingsSerializer(serializers.ModelSerializer):
    currency = serializers.SerializerMethodField(help_text="The installation's currency (CURRENCY setting).")
    default_dora_benchmark = serializers.SerializerMethodField(help_text="The DORA_BENCHMARK setting.")

    class Meta:
        model = OrgSettings
        fields = ["currency", "currency_display", "dora_benchmark", "default_dora_benchmark"]
        extra_kwargs = {"currency_display": {"required": False}, "dora_benchmark": {"required": False}}

    def get_currency(self, _row) -> str:
        return django_settings.CURRENCY

    def get_default_dora_benchmark(self, _row) -> str:
        return django_settings.DORA_BENCHMARK


class OrgSettingsView(APIView):
    """The display settings: currency label and DORA benchmark vintage (blank: the setting).
    Everyone reads; directors change them."""

    permission_classes = [ReadOrDirector]
    serializer_class = OrgSettingsSerializer

    def get(self, request):
        return Response(OrgSettingsSerializer(org_settings()).data)

    @extend_schema(request=OrgSettingsSerializer, responses={200: OrgSettingsSerializer})
    def patch(self, request):
        serializer = OrgSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.org_settings_update(user=request.user, **serializer.validated_data)
        return Response(OrgSettingsSerializer(row).data)


class SourceRuleSerializer(serializers.ModelSerializer):
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    replayed = serializers.SerializerMethodField(help_text="Parked deliveries this write replayed.")

    class Meta:
        model = SourceRule
        fields = ["id", "source", "pattern", "value_stream", "reports_incidents", "replayed"]
        validators = []  # the service's full_clean() names the clash (case-insensitive unique)

    def create(self, validated_data):
        rule, replayed = services.source_rule_save(user=self.context["request"].user, **validated_data)
        rule.replayed = replayed
        return rule

    def update(self, instance, validated_data):
        rule, replayed = services.source_rule_save(user=self.context["request"].user, rule=instance, **validated_data)
        rule.replayed = replayed
        return rule

    def get_replayed(self, rule) -> int:
        return getattr(rule, "replayed", 0)


class SettingsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadOrDirector]


class SourceRuleViewSet(SettingsViewSet):
    """Which value stream a repository, project or service delivers to."""

    serializer_class = SourceRuleSerializer
    ordering_fields = ["source", "pattern", "id"]
    ordering = ["source", "pattern"]

    def get_queryset(self):
        return settings_source_rules()

    def perform_destroy(self, instance):
        services.source_rule_delete(user=self.request.user, rule=instance)


class StatusMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusMapping
        fields = ["id", "source", "tool_status", "flow_status"]
        validators = []

    def create(self, validated_data):
        return services.status_mapping_save(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.status_mapping_save(user=self.context["request"].user, mapping=instance, **validated_data)


class StatusMappingViewSet(SettingsViewSet):
    """How a tool's status name maps to a flow status, per source."""

    serializer_class = StatusMappingSerializer
    ordering_fields = ["source", "tool_status", "id"]
    ordering = ["source", "tool_status"]

    def get_queryset(self):
        return settings_status_mappings()

    def perform_destroy(self, instance):
        services.status_mapping_delete(user=self.request.user, mapping=instance)


class PayloadPreviewInputSerializer(serializers.Serializer):
    # Every source (one enum in the schema); one without webhooks (csv, manual) is a 400.
    source = serializers.ChoiceField(choices=Source.choices)
    event = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    payload = serializers.JSONField(help_text="The delivery's JSON body as the tool sends it.")


class PreviewWorkItemSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    item_type = serializers.CharField()
    status = serializers.CharField()


class PayloadPreviewSerializer(serializers.Serializer):
    source = serializers.CharField()
    event = serializers.CharField()
    location = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["maps", "parked", "ignored"])
    value_stream = serializers.IntegerField(source="value_stream.id", allow_null=True, default=None)
    value_stream_name = serializers.CharField(source="value_stream.name", allow_null=True, default=None)
    work_items = PreviewWorkItemSerializer(many=True)
    deployments = serializers.IntegerField()
    incidents = serializers.IntegerField()
    commits = serializers.IntegerField()


class PayloadPreviewView(APIView):
    """ "Test this payload": which value stream and flow states a delivery would map to; writes
    nothing. A payload its source's schema refuses is a 400 naming the fields."""

    permission_classes = [IsDirector]

    @extend_schema(request=PayloadPreviewInputSerializer, responses={200: PayloadPreviewSerializer})
    def post(self, request):
        serializer = PayloadPreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preview = services.webhook_payload_preview(user=request.user, **serializer.validated_data)
        except PayloadInvalid as exc:
            return Response({"payload": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(PayloadPreviewSerializer(preview).data)


class SettingChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = SettingChange
        fields = ["id", "at", "by", "kind", "object_id", "object_repr", "action", "changes"]


class SettingChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The settings audit log, newest first (directors); `?kind=` filters by what changed."""

    serializer_class = SettingChangeSerializer
    permission_classes = [IsDirector]

    def get_queryset(self):
        return setting_changes(kind=self.request.query_params.get("kind") or None)
