from django.contrib.auth import get_user_model
from rest_framework import serializers

from portfolio.api.fields import MoneyField
from portfolio.models import Epic, EpicState, Quarter, StrategicTheme, ValueStream
from portfolio.services import epics as services

EPIC_FIELDS = [
    "id",
    "key",
    "title",
    "value_stream",
    "kind",
    "investment_type",
    "horizon",
    "state",
    "state_changed_at",
    "version",
    "owner",
    "description",
    "hypothesis_for",
    "hypothesis_who",
    "hypothesis_the",
    "hypothesis_is_a",
    "hypothesis_that",
    "hypothesis_unlike",
    "hypothesis_our_solution",
    "business_outcome_hypothesis",
    "leading_indicators",
    "nonfunctional_requirements",
    "mvp_definition",
    "in_scope",
    "out_of_scope",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
    "cost_of_delay",
    "wsjf",
    "scored",
    "cd3",
    "estimated_cost",
    "estimated_duration_weeks",
    "cost_of_delay_per_week",
    "themes",
    "target_quarter",
    "go_decision_by",
    "go_decision_at",
    "go_decision_note",
    "created_at",
]


class EpicSerializer(serializers.ModelSerializer):
    """An epic with its business case and WSJF. State and version change only through `move`;
    cost of delay and WSJF are computed by the database."""

    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    themes = serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all(), many=True, required=False)
    target_quarter = serializers.PrimaryKeyRelatedField(queryset=Quarter.objects.all(), allow_null=True, required=False)
    estimated_cost = MoneyField(source="estimated_cost_cents", allow_null=True, required=False)
    cost_of_delay_per_week = MoneyField(source="cost_of_delay_per_week_cents", allow_null=True, required=False)
    cost_of_delay = serializers.IntegerField(read_only=True, allow_null=True)
    wsjf = serializers.FloatField(read_only=True, allow_null=True)
    scored = serializers.BooleanField(source="is_scored", read_only=True)
    cd3 = serializers.SerializerMethodField(
        help_text="CD3: cost of delay per week / duration in weeks (money per week per week), "
        "where the epic carries both figures."
    )

    class Meta:
        model = Epic
        fields = EPIC_FIELDS
        read_only_fields = [
            "state",
            "state_changed_at",
            "version",
            "go_decision_by",
            "go_decision_at",
            "go_decision_note",
            "created_at",
        ]

    def get_cd3(self, epic) -> float | None:
        if hasattr(epic, "cd3"):  # annotated by the list query
            return epic.cd3 / 100 if epic.cd3 is not None else None
        if epic.cost_of_delay_per_week_cents is None or not epic.estimated_duration_weeks:
            return None
        return epic.cost_of_delay_per_week_cents / epic.estimated_duration_weeks / 100

    def create(self, validated_data):
        return services.epic_create(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.epic_update(user=self.context["request"].user, epic=instance, **validated_data)


class EpicMoveSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=EpicState.choices)
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    override_funding = serializers.BooleanField(
        required=False, default=False, help_text="Directors only: enter implementing without funding room."
    )


class EpicMoveRefusedSerializer(serializers.Serializer):
    """A refused move has `detail` and `conditions`; a malformed request gets the usual 400 body
    instead (`detail` alone for unreadable JSON, field messages for bad fields), so neither key is
    promised."""

    detail = serializers.CharField(required=False)
    conditions = serializers.ListField(child=serializers.CharField(), required=False)


class EpicMoveConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField()
    version = serializers.IntegerField()


class GoDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
