"""`/api/benefits/` and `/api/benefit-measurements/`: benefit hypotheses of epics and their
measurements. Both are created and read, never changed or deleted here (measurements are
append-only history; a correction is a new measurement)."""

from rest_framework import mixins, serializers, viewsets

from portfolio.api.fields import MoneyField
from portfolio.filters.epics import BenefitFilter, BenefitMeasurementFilter
from portfolio.models import MMP, BenefitHypothesis, BenefitMeasurement, Epic
from portfolio.selectors.benefits import benefit_list
from portfolio.services import benefits as services

CURRENCY_HELP = "Optional: the currency of the amounts; anything but the installation's currency is refused."


class BenefitSerializer(serializers.ModelSerializer):
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all())
    mmp = serializers.PrimaryKeyRelatedField(queryset=MMP.objects.all(), allow_null=True, required=False)
    monthly_amount = MoneyField(source="monthly_amount_cents", allow_null=True, required=False)
    currency = serializers.CharField(write_only=True, required=False, max_length=3, help_text=CURRENCY_HELP)
    realised = MoneyField(source="realised_cents", read_only=True, help_text="Sum of money measurements.")
    latest_value = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True, allow_null=True)
    key_result = serializers.IntegerField(
        source="linked_key_result_id",
        read_only=True,
        allow_null=True,
        default=None,  # a benefit just created has no link yet (the annotation is the list's)
        help_text="The key result this benefit serves; set it with POST /api/key-results/{id}/benefits/.",
    )

    class Meta:
        model = BenefitHypothesis
        fields = [
            "id",
            "epic",
            "mmp",
            "kind",
            "title",
            "description",
            "monthly_amount",
            "start_month",
            "unit",
            "baseline",
            "target",
            "currency",
            "realised",
            "latest_value",
            "key_result",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return services.benefit_create(user=self.context["request"].user, **validated_data)


class BenefitMeasurementSerializer(serializers.ModelSerializer):
    benefit = serializers.PrimaryKeyRelatedField(queryset=BenefitHypothesis.objects.select_related("epic"))
    amount = MoneyField(source="amount_cents", allow_null=True, required=False)
    currency = serializers.CharField(write_only=True, required=False, max_length=3, help_text=CURRENCY_HELP)

    class Meta:
        model = BenefitMeasurement
        fields = ["id", "benefit", "measured_on", "amount", "value", "source", "note", "currency", "recorded_at"]
        read_only_fields = ["recorded_at"]

    def create(self, validated_data):
        return services.benefit_measurement_record(user=self.context["request"].user, **validated_data)


class BenefitViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Benefit hypotheses; created by managers of the epic's value stream and directors."""

    serializer_class = BenefitSerializer
    filterset_class = BenefitFilter
    ordering_fields = ["id", "start_month"]
    ordering = ["id"]

    def get_queryset(self):
        return benefit_list()


class BenefitMeasurementViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Append-only measurements of benefits."""

    queryset = BenefitMeasurement.objects.all()
    serializer_class = BenefitMeasurementSerializer
    filterset_class = BenefitMeasurementFilter
    ordering_fields = ["id", "measured_on"]
    ordering = ["-measured_on", "-id"]
