"""Funding API serializers: money as two-decimal strings (core.api.MoneyField), writes via services."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from funding import services
from funding.models import Allocation, Guardrail, QuarterBudget, Scenario, ScenarioLine, Spend, SpendCategory, Team
from portfolio.api.fields import MoneyField
from portfolio.models import Epic, Quarter, ValueStream


def _user(serializer):
    return serializer.context["request"].user


class BudgetSerializer(serializers.ModelSerializer):
    total = MoneyField(source="total_cents")
    allocated = MoneyField(source="allocated_cents", read_only=True)
    unallocated = MoneyField(source="unallocated_cents", read_only=True, allow_negative=True)
    quarter = serializers.PrimaryKeyRelatedField(queryset=Quarter.objects.all())
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="Required once approved."
    )

    class Meta:
        model = QuarterBudget
        fields = [
            "id",
            "quarter",
            "total",
            "status",
            "allocated",
            "unallocated",
            "approved_by",
            "approved_at",
            "reason",
        ]
        read_only_fields = ["status", "approved_by", "approved_at"]

    def validate_quarter(self, quarter):
        if self.instance is not None and quarter.pk != self.instance.quarter_id:
            raise serializers.ValidationError("A budget's quarter cannot change.")
        return quarter

    def create(self, validated_data):
        return services.budget_create(
            user=_user(self), quarter=validated_data["quarter"], total_cents=validated_data["total_cents"]
        )

    def update(self, instance, validated_data):
        if "total_cents" in validated_data:
            services.budget_total_set(
                user=_user(self),
                budget=instance,
                total_cents=validated_data["total_cents"],
                reason=validated_data.get("reason", ""),
            )
        return instance


class AllocationSerializer(serializers.ModelSerializer):
    amount = MoneyField(source="amount_cents")
    budget = serializers.PrimaryKeyRelatedField(queryset=QuarterBudget.objects.all())
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="Required once approved."
    )

    class Meta:
        model = Allocation
        fields = ["id", "budget", "value_stream", "amount", "note", "reason"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("budget", "value_stream"):
                if name in attrs and attrs[name].pk != getattr(self.instance, f"{name}_id"):
                    raise serializers.ValidationError({name: "Cannot change; set the other allocation instead."})
        return attrs

    def create(self, validated_data):
        return services.allocation_set(
            user=_user(self),
            budget=validated_data["budget"],
            value_stream=validated_data["value_stream"],
            amount_cents=validated_data["amount_cents"],
            note=validated_data.get("note"),
            reason=validated_data.get("reason", ""),
        )

    def update(self, instance, validated_data):
        return services.allocation_set(
            user=_user(self),
            budget=instance.budget,
            value_stream=instance.value_stream,
            amount_cents=validated_data.get("amount_cents", instance.amount_cents),
            note=validated_data.get("note"),
            reason=validated_data.get("reason", ""),
        )


class AllocationTransferSerializer(serializers.Serializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=QuarterBudget.objects.all())
    source = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    amount = MoneyField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class GuardrailSerializer(serializers.ModelSerializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=QuarterBudget.objects.all())
    approval_threshold = MoneyField(source="approval_threshold_cents", allow_null=True, required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000)

    class Meta:
        model = Guardrail
        fields = [
            "id",
            "budget",
            "business_features_pct",
            "enablers_pct",
            "tech_debt_pct",
            "ktlo_pct",
            "horizon_h0_pct",
            "horizon_h1_pct",
            "horizon_h2_pct",
            "horizon_h3_pct",
            "approval_threshold",
            "drift_tolerance_pct",
            "reason",
        ]
        extra_kwargs = {name: {"max_value": 100} for name in fields if name.endswith("_pct")}

    def validate_budget(self, budget):
        if self.instance is not None and budget.pk != self.instance.budget_id:
            raise serializers.ValidationError("A guardrail's budget cannot change.")
        if self.instance is None and Guardrail.objects.filter(budget=budget).exists():
            raise serializers.ValidationError("This budget has guardrails already; change them instead.")
        return budget

    def save_via_service(self, budget):
        fields = {k: v for k, v in self.validated_data.items() if k not in ("budget", "reason")}
        return services.guardrail_set(
            user=_user(self), budget=budget, reason=self.validated_data.get("reason", ""), **fields
        )

    def create(self, validated_data):
        return self.save_via_service(validated_data["budget"])

    def update(self, instance, validated_data):
        return self.save_via_service(instance.budget)


class TeamSerializer(serializers.ModelSerializer):
    cost_per_sprint = MoneyField(source="cost_per_sprint_cents")
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.filter(is_active=True), required=False
    )
    sprints_in_quarter = serializers.IntegerField(read_only=True, help_text="Quarter days // sprint length.")
    capacity = MoneyField(source="capacity_cents", read_only=True, help_text="Sprints in the quarter x cost.")

    class Meta:
        model = Team
        fields = [
            "id",
            "value_stream",
            "name",
            "cost_per_sprint",
            "sprint_length_days",
            "members",
            "headcount",
            "active",
            "sprints_in_quarter",
            "capacity",
        ]

    def create(self, validated_data):
        data = dict(validated_data)
        return services.team_create(
            user=_user(self),
            value_stream=data.pop("value_stream"),
            name=data.pop("name"),
            cost_per_sprint_cents=data.pop("cost_per_sprint_cents"),
            **data,
        )

    def update(self, instance, validated_data):
        return services.team_update(user=_user(self), team=instance, **validated_data)


class SpendSerializer(serializers.ModelSerializer):
    amount = MoneyField(source="amount_cents")
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())
    epic = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all(), required=False, allow_null=True)
    category = serializers.ChoiceField(choices=SpendCategory.choices, default=SpendCategory.LABOUR)

    class Meta:
        model = Spend
        fields = [
            "id",
            "value_stream",
            "month",
            "amount",
            "category",
            "epic",
            "source",
            "note",
            "created_by",
            "created_at",
            "voided_at",
            "voided_by",
        ]
        read_only_fields = ["created_by", "created_at", "voided_at", "voided_by"]

    def create(self, validated_data):
        data = dict(validated_data)
        return services.spend_record(
            user=_user(self),
            value_stream=data.pop("value_stream"),
            month=data.pop("month"),
            amount_cents=data.pop("amount_cents"),
            **data,
        )


class ScenarioLineSerializer(serializers.ModelSerializer):
    amount = MoneyField(source="amount_cents")
    value_stream = serializers.PrimaryKeyRelatedField(queryset=ValueStream.objects.all())

    class Meta:
        model = ScenarioLine
        fields = ["value_stream", "amount"]


class ScenarioSerializer(serializers.ModelSerializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=QuarterBudget.objects.all())
    lines = ScenarioLineSerializer(many=True, read_only=True)

    class Meta:
        model = Scenario
        fields = ["id", "budget", "name", "note", "created_by", "created_at", "committed_by", "committed_at", "lines"]
        read_only_fields = ["created_by", "created_at", "committed_by", "committed_at"]

    def create(self, validated_data):
        return services.scenario_create(
            user=_user(self),
            budget=validated_data["budget"],
            name=validated_data["name"],
            note=validated_data.get("note", ""),
        )


class ScenarioCommitSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ScenarioCompareCellSerializer(serializers.Serializer):
    amount = MoneyField(source="amount_cents")
    delta = MoneyField(source="delta_cents", allow_negative=True)
    capacity_covered_pct = serializers.IntegerField(allow_null=True)
    funded_epics = serializers.ListField(child=serializers.CharField())
    wsjf_funded = serializers.DecimalField(max_digits=12, decimal_places=2)


class ScenarioCompareRowSerializer(serializers.Serializer):
    value_stream = serializers.IntegerField(source="value_stream.pk")
    value_stream_name = serializers.CharField(source="value_stream.name")
    allocated = MoneyField(source="allocated_cents")
    team_capacity = MoneyField(source="capacity_cents")
    scenarios = ScenarioCompareCellSerializer(source="cells", many=True)
