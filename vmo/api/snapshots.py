"""`/api/snapshots/`: rolled-up figures per value stream; the latest per stream by default."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from portfolio.api.fields import MoneyField
from portfolio.filters.base import IdFilter
from portfolio.models import QUARTER_CODE, Quarter
from portfolio.money import cents_to_decimal
from portfolio.selectors.delivery import DORA_METRICS
from vmo.models import SNAPSHOT_DELIVERY_FIGURES, ValueStreamSnapshot
from vmo.selectors.snapshots import snapshot_latest
from vmo.services.value_figures import VALUE_FIGURES


class SnapshotFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(method="filter_quarter", label="Quarter code (2026-Q3) or id")
    value_stream = IdFilter(field_name="value_stream_id", label="Value stream id")
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = ValueStreamSnapshot
        fields = ["value_stream", "dora_level"]

    def filter_quarter(self, queryset, name, value):
        # ASCII digits of a size an id can have; anything else is taken as a code (and matches
        # nothing if it is not one), so a huge number never reaches the database driver.
        if value.isascii() and value.isdigit() and len(value) <= 18:
            return queryset.filter(quarter_id=int(value))
        return queryset.filter(quarter__code=value)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "string"}},
        ],
        "nullable": True,
    }
)
class ValueFigureField(serializers.Field):
    """One figure of `value_detail` (issue 12), null when the snapshot has no data for it (or
    predates the figure); money as a two-decimal string like every amount."""

    def __init__(self, key: str, *, money: bool = False, **kwargs):
        self.key, self.money = key, money
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        kwargs.setdefault("help_text", VALUE_FIGURES[key])
        super().__init__(**kwargs)

    def to_representation(self, value):
        figure = (value.value_detail or {}).get(self.key)
        if figure is None:
            return None
        return f"{cents_to_decimal(figure):.2f}" if self.money else figure


_VALUE_MONEY = {
    "benefit_planned": "benefit_planned_cents",
    "benefit_realised": "benefit_realised_cents",
    "benefit_planned_to_date": "benefit_planned_to_date_cents",
    "benefit_realised_to_date": "benefit_realised_to_date_cents",
    "actual_cost": "actual_cost_cents",
}
_VALUE_PLAIN = [key for key in VALUE_FIGURES if not key.endswith("_cents")]


class SnapshotSerializer(serializers.ModelSerializer):
    quarter_code = serializers.CharField(source="quarter.code", read_only=True)
    allocated = MoneyField(source="allocated_cents", read_only=True)
    spent = MoneyField(source="spent_cents", read_only=True)
    forecast = MoneyField(
        source="forecast_cents",
        read_only=True,
        allow_null=True,
        help_text="Null before any month of the quarter has booked spend (no rate, no forecast).",
    )
    flow_distribution = serializers.DictField(child=serializers.FloatField(), read_only=True)
    dora_metrics_graded = serializers.IntegerField(
        read_only=True, help_text="How many of the four DORA metrics had data and were graded ('2 of 4 metrics')."
    )
    dora_levels = serializers.SerializerMethodField(
        help_text="Level of each DORA metric (deployment_frequency, lead_time, change_failure_rate, recovery_time); "
        "null for a metric without data."
    )
    deployment_frequency_level = serializers.SerializerMethodField()
    lead_time_level = serializers.SerializerMethodField()
    change_failure_rate_level = serializers.SerializerMethodField()
    recovery_time_level = serializers.SerializerMethodField()
    dora_no_data = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Why a DORA figure is null, per metric (e.g. 'no incident source connected').",
    )

    dora_not_graded = serializers.CharField(
        read_only=True,
        help_text="Why the stream has no DORA level by its delivery mode ('not graded: project mode, no "
        "deployments'); empty when graded or simply without data.",
    )

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "nullable": True}})
    def get_dora_levels(self, obj) -> dict:
        return {metric: obj.dora_levels.get(metric) for metric in DORA_METRICS}

    def get_deployment_frequency_level(self, obj) -> str | None:
        return obj.dora_levels.get("deployment_frequency")

    def get_lead_time_level(self, obj) -> str | None:
        return obj.dora_levels.get("lead_time")

    def get_change_failure_rate_level(self, obj) -> str | None:
        return obj.dora_levels.get("change_failure_rate")

    def get_recovery_time_level(self, obj) -> str | None:
        return obj.dora_levels.get("recovery_time")

    def get_fields(self):
        fields = super().get_fields()
        for name, key in _VALUE_MONEY.items():
            fields[name] = ValueFigureField(key, money=True)
        for key in _VALUE_PLAIN:
            fields[key] = ValueFigureField(key)
        return fields

    class Meta:
        model = ValueStreamSnapshot
        fields = [
            "id",
            "value_stream",
            "quarter",
            "quarter_code",
            "as_of",
            "computed_at",
            *SNAPSHOT_DELIVERY_FIGURES,
            "dora_metrics_graded",
            "dora_levels",
            "deployment_frequency_level",
            "lead_time_level",
            "change_failure_rate_level",
            "recovery_time_level",
            "dora_no_data",
            "dora_not_graded",
            "allocated",
            "spent",
            "forecast",
            "okr_score",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "history",
                OpenApiTypes.BOOL,
                description="true: every daily snapshot (trends) instead of the latest per value stream.",
            )
        ]
    )
)
class SnapshotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: snapshots are written by the rollup job only."""

    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilter
    ordering_fields = ["as_of", "value_stream", "flow_velocity", "deployments_per_week"]
    ordering = ["value_stream_id", "-as_of"]

    def get_queryset(self):
        if self.action != "list" or self.request.query_params.get("history") in ("true", "1"):
            return ValueStreamSnapshot.objects.select_related("quarter")
        # Latest per value stream, within the asked quarter when there is one.
        code = self.request.query_params.get("quarter")
        quarter = None
        if code:
            # An id or a code; anything else names no quarter and is never sent to the database
            # (PostgreSQL refuses NUL in a string and ids past 64 bits).
            if code.isascii() and code.isdigit() and len(code) <= 18:
                quarter = Quarter.objects.filter(id=int(code)).first()
            elif QUARTER_CODE.fullmatch(code):
                quarter = Quarter.objects.filter(code=code).first()
            if quarter is None:
                return ValueStreamSnapshot.objects.none()
        return snapshot_latest(quarter=quarter)
