from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from portfolio.api.fields import MoneyField
from portfolio.models import Epic, EpicState, MvpDecision, MvpResult, Quarter, StrategicTheme, ValueStream
from portfolio.models.epics import HYPOTHESIS_FIELDS
from portfolio.money import cents_to_text
from portfolio.services import epics as services

# What a list row carries: identity, placement, WSJF and the money figures. The business case
# (description, hypothesis, scope, ...) and the go decision's note are on the detail, and on a
# list with `?expand=business_case`.
EPIC_LIST_FIELDS = [
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
    "go_decision_at",
    "created_at",
]
# The business case: on the detail, and on a list with `?expand=business_case`.
EPIC_BUSINESS_CASE_FIELDS = [
    "description",
    *HYPOTHESIS_FIELDS,
    "business_outcome_hypothesis",
    "leading_indicators",
    "nonfunctional_requirements",
    "mvp_definition",
    "in_scope",
    "out_of_scope",
    "delivery_mode",
    "go_decision_by",
    "go_decision_note",
]
EPIC_FIELDS = [*EPIC_LIST_FIELDS, *EPIC_BUSINESS_CASE_FIELDS]


class ThemeIdsField(serializers.ManyRelatedField):
    """Theme ids in id order, as the list endpoint writes them (the prefetch orders by name)."""

    def to_representation(self, iterable):
        return sorted(super().to_representation(iterable))


class EpicSerializer(serializers.ModelSerializer):
    """An epic with its business case and WSJF. State and version change only through `move`;
    cost of delay and WSJF are computed by the database."""

    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    themes = ThemeIdsField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all()), required=False
    )
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
        extra_kwargs = {
            # Blank or left out on create: the service gives the stream's next key ("PAY-13").
            "key": {
                "required": False,
                "allow_blank": True,
                "help_text": "Unique key; left out on create, the value stream's next key (PAY-13).",
            },
        }

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


# The columns `epic_list_rows` reads, under their model names.
EPIC_LIST_COLUMNS = (
    "id",
    "key",
    "title",
    "value_stream_id",
    "kind",
    "investment_type",
    "horizon",
    "state",
    "state_changed_at",
    "version",
    "owner_id",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
    "cost_of_delay",
    "wsjf",
    "cd3",
    "estimated_cost_cents",
    "estimated_duration_weeks",
    "cost_of_delay_per_week_cents",
    "target_quarter_id",
    "go_decision_at",
    "created_at",
)


class EpicListSerializer(EpicSerializer):
    """A list row: the epic without its business case. Documents the list's shape; the rows
    themselves are built by `epic_list_rows` from plain values, which gives the same output."""

    class Meta(EpicSerializer.Meta):
        fields = EPIC_LIST_FIELDS


def _datetime_text_in(zone):
    """DRF's DateTimeField text (ISO 8601 in the current time zone, UTC as "Z") with the zone
    looked up once: asking for it per value was a third of a 500-row page's time."""

    def text(value):
        written = value.astimezone(zone).isoformat()
        return written[:-6] + "Z" if written.endswith("+00:00") else written

    return text


def epic_list_rows(values: list[dict]) -> list[dict]:
    """List rows from `epic_list_values(..., *EPIC_LIST_COLUMNS)`: no model instances and no field objects per row
    (DRF's ModelSerializer spent most of a 500-row page on them). Same text as the serializer:
    money as two-decimal strings, datetimes as DRF writes them, cd3 in money per week per week."""
    datetime_text = _datetime_text_in(timezone.get_current_timezone())
    rows = []
    for v in values:
        cost, cod_week, cd3 = v["estimated_cost_cents"], v["cost_of_delay_per_week_cents"], v["cd3"]
        rows.append(
            {
                "id": v["id"],
                "key": v["key"],
                "title": v["title"],
                "value_stream": v["value_stream_id"],
                "kind": v["kind"],
                "investment_type": v["investment_type"],
                "horizon": v["horizon"],
                "state": v["state"],
                "state_changed_at": datetime_text(v["state_changed_at"]),
                "version": v["version"],
                "owner": v["owner_id"],
                "business_value": v["business_value"],
                "time_criticality": v["time_criticality"],
                "risk_reduction": v["risk_reduction"],
                "job_size": v["job_size"],
                "cost_of_delay": v["cost_of_delay"],
                "wsjf": v["wsjf"],
                "scored": v["wsjf"] is not None,  # wsjf is NULL exactly when an input is missing
                "cd3": cd3 / 100 if cd3 is not None else None,
                "estimated_cost": cents_to_text(cost) if cost is not None else None,
                "estimated_duration_weeks": v["estimated_duration_weeks"],
                "cost_of_delay_per_week": cents_to_text(cod_week) if cod_week is not None else None,
                "themes": v["theme_ids"],
                "target_quarter": v["target_quarter_id"],
                "go_decision_at": datetime_text(v["go_decision_at"]) if v["go_decision_at"] else None,
                "created_at": datetime_text(v["created_at"]),
            }
        )
    return rows


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


class ReleaseCostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    released_on = serializers.DateField(allow_null=True)
    actual = MoneyField(source="actual_cents")


class EpicEconomicsSerializer(serializers.Serializer):
    """`GET /api/epics/{id}/economics/` (the cost rule and the return's assumptions: /metrics/)."""

    epic = serializers.IntegerField(source="epic_id")
    key = serializers.CharField()
    estimate = MoneyField(source="estimate_cents", allow_null=True)
    actual = MoneyField(source="actual_cents", help_text="Sprint shares + spend tagged with the epic, to date.")
    actual_from_sprints = MoneyField(source="sprint_cost_cents")
    actual_from_spend = MoneyField(source="tagged_spend_cents")
    forecast_at_completion = MoneyField(source="forecast_cents", allow_null=True)
    variance = MoneyField(
        source="variance_cents", allow_null=True, allow_negative=True, help_text="Forecast - estimate; + is overrun."
    )
    progress = serializers.FloatField(allow_null=True)
    planned_benefit = MoneyField(source="planned_benefit_cents", allow_null=True, help_text="Planned to date.")
    planned_benefit_horizon = MoneyField(source="planned_benefit_horizon_cents", allow_null=True)
    realised_benefit = MoneyField(source="realised_benefit_cents", allow_null=True)
    realised_return = serializers.FloatField(allow_null=True)
    planned_return = serializers.FloatField(allow_null=True)
    horizon_months = serializers.IntegerField()
    assumption = serializers.CharField()
    releases = ReleaseCostSerializer(many=True)


class EpicEarnedValueSerializer(serializers.Serializer):
    """`GET /api/epics/{id}/earned-value/?as_of=` (definitions: /metrics/, group Project)."""

    epic = serializers.IntegerField(source="epic_id")
    as_of = serializers.DateField()
    method = serializers.CharField(help_text="How EV is earned: milestones or percent_complete.")
    budget_at_completion = MoneyField(source="bac_cents", help_text="The baseline budget (BAC).")
    planned_value = MoneyField(source="pv_cents", allow_null=True)
    earned_value = MoneyField(source="ev_cents", allow_null=True)
    actual_cost = MoneyField(source="ac_cents")
    spi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True)
    cpi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True)
    estimate_at_completion = MoneyField(source="eac_cents", allow_null=True)
    rag = serializers.ChoiceField(choices=["green", "amber", "red"], allow_null=True)
    baseline_finish = serializers.DateField(allow_null=True)
    forecast_finish = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)


class EarnedValueQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="The day of the figures (default today).")


class MvpEvaluationSerializer(serializers.Serializer):
    mmp = serializers.IntegerField(help_text="The released MVP of this epic.")
    result = serializers.ChoiceField(choices=MvpResult.choices)
    evidence = serializers.CharField(max_length=4000)
    decision = serializers.ChoiceField(choices=MvpDecision.choices)
    reason = serializers.CharField(max_length=2000)


class EpicAsOfSerializer(EpicSerializer):
    """An epic as it stood on `?as_of=` (a history row). Themes are not history-tracked: empty."""

    themes = serializers.SerializerMethodField()

    def get_themes(self, epic) -> list[int]:
        return []
