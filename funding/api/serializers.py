"""Funding API serializers: money as two-decimal strings (core.api.MoneyField), writes via services."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from funding import services
from funding.models import (
    Allocation,
    Guardrail,
    PBSession,
    QuarterBudget,
    Scenario,
    ScenarioLine,
    Spend,
    SpendCategory,
    Team,
    TeamSprint,
)
from funding.selectors.teams import team_sprints
from portfolio.api.fields import MoneyField
from portfolio.filters.base import MAX_ID
from portfolio.models import Epic, InvestmentHorizon, InvestmentType, Quarter, ValueStream


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
            "cost_tolerance_pct",
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


class _WorkItemIds(serializers.ListField):
    """Written as a list of ids; read back as the sorted ids (prefetched by the list)."""

    def get_attribute(self, instance):
        return sorted(item.id for item in instance.work_items.all())


class TeamSprintSerializer(serializers.ModelSerializer):
    """A sprint of a fixed-cost team and the work items it delivered (recorded, never edited)."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.select_related("value_stream"))
    cost = MoneyField(
        source="cost_cents", required=False, allow_null=True, help_text="Default: the team's cost per sprint."
    )
    work_items = _WorkItemIds(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=services.SPRINT_ITEMS_MAX,
        help_text="Ids of the work items delivered in the sprint (read back as ids).",
    )
    committed = serializers.IntegerField(
        read_only=True, help_text="Committed size: typed, else the size of its work items (unsized count 1)."
    )
    done = serializers.IntegerField(
        read_only=True, help_text="Done size: typed, else its work items done by the sprint's last day."
    )
    work_item_external_ids = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        write_only=True,
        max_length=services.SPRINT_ITEMS_MAX,
        help_text="Or name them by their tool's external id (within the team's value stream).",
    )

    class Meta:
        model = TeamSprint
        fields = [
            "id",
            "team",
            "start",
            "end",
            "cost",
            "work_items",
            "work_item_external_ids",
            "committed_size",
            "done_size",
            "committed",
            "done",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "committed_size": {"max_value": 1_000_000, "help_text": "Typed committed size (blank: its work items')."},
            "done_size": {"max_value": 1_000_000, "help_text": "Typed done size (blank: its done work items')."},
        }

    def create(self, validated_data):
        sprint = services.team_sprint_record(
            user=_user(self),
            team=validated_data["team"],
            start=validated_data["start"],
            end=validated_data["end"],
            cost_cents=validated_data.get("cost_cents"),
            work_item_ids=validated_data.get("work_items", ()),
            work_item_external_ids=validated_data.get("work_item_external_ids", ()),
            committed_size=validated_data.get("committed_size"),
            done_size=validated_data.get("done_size"),
        )
        return team_sprints().get(pk=sprint.pk)  # read back with its committed and done size


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


class OptimiseInputSerializer(serializers.Serializer):
    """Constraints of an optimisation: all optional (the quarter's budget, capacity and guardrails apply)."""

    budget = MoneyField(required=False, help_text="Budget to fund within (default: the quarter's budget total).")
    pin_in = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=1000
    )
    pin_out = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=1000
    )
    use_capacity = serializers.BooleanField(required=False, default=True)
    use_guardrails = serializers.BooleanField(required=False, default=True)


class _SequenceSerializer(serializers.Serializer):
    epic = serializers.IntegerField()
    key = serializers.CharField()
    weeks = serializers.IntegerField()
    duration_from = serializers.CharField()
    start = serializers.DateField()
    finish = serializers.DateField()


class _OptimisedStreamSerializer(serializers.Serializer):
    value_stream = serializers.IntegerField()
    name = serializers.CharField()
    amount = MoneyField(source="amount_cents")
    wsjf_amount = MoneyField(source="wsjf_amount_cents")
    capacity = MoneyField(source="capacity_cents")
    epics = serializers.ListField(child=serializers.CharField())
    wsjf_epics = serializers.ListField(child=serializers.CharField())
    sequence = _SequenceSerializer(many=True)


class _DifferenceSerializer(serializers.Serializer):
    epic = serializers.IntegerField()
    key = serializers.CharField()
    funded_by = serializers.ChoiceField(choices=["optimum", "wsjf"])
    why = serializers.CharField(help_text="The binding constraint: budget, capacity, guardrail, dependency.")


class _ShadowPriceSerializer(serializers.Serializer):
    step = MoneyField(source="step_cents")
    value = serializers.IntegerField(help_text="Cost of delay removed by one more step of budget.")
    next_epics = serializers.ListField(child=serializers.CharField())


class OptimisationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["optimal", "time limit"])
    gap = serializers.FloatField()
    basis = serializers.CharField(help_text="'money per week' or 'WSJF cost-of-delay points'.")
    budget = MoneyField(source="budget_cents")
    optimum_value = serializers.IntegerField()
    optimum_cost = MoneyField(source="optimum_cost_cents")
    wsjf_value = serializers.IntegerField()
    wsjf_cost = MoneyField(source="wsjf_cost_cents")
    wsjf_breaks = serializers.ListField(child=serializers.CharField())
    differences = _DifferenceSerializer(many=True)
    shadow_price = _ShadowPriceSerializer()
    value_streams = _OptimisedStreamSerializer(many=True)
    skipped = serializers.ListField(child=serializers.CharField())
    sequencing_rule = serializers.CharField()


class OptimiseResultSerializer(serializers.Serializer):
    scenario = ScenarioSerializer()
    optimisation = OptimisationSerializer()


# --- participatory budgeting -----------------------------------------------------------------


class PBCapSerializer(serializers.Serializer):
    investment_type = serializers.ChoiceField(choices=InvestmentType.choices, required=False, allow_blank=True)
    horizon = serializers.ChoiceField(choices=InvestmentHorizon.choices, required=False, allow_blank=True)
    max_pct = serializers.IntegerField(min_value=0, max_value=100)


class PBTableInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), many=True
    )


class PBSessionSerializer(serializers.ModelSerializer):
    """A session; created with its epics, tables and caps (write-only), read with its figures."""

    quarter = serializers.CharField(source="budget.quarter.code", read_only=True)
    money = MoneyField(source="money_cents")
    share = MoneyField(write_only=True, required=False, allow_null=True, help_text="Empty: equal shares.")
    epics = serializers.PrimaryKeyRelatedField(queryset=Epic.objects.all(), many=True, write_only=True)
    tables = PBTableInputSerializer(many=True, write_only=True)
    caps = PBCapSerializer(many=True, write_only=True, required=False)
    budget = serializers.PrimaryKeyRelatedField(queryset=QuarterBudget.objects.all())

    class Meta:
        model = PBSession
        fields = [
            "id",
            "budget",
            "quarter",
            "name",
            "money",
            "share",
            "status",
            "round",
            "ends_at",
            "closed_at",
            "scenario",
            "epics",
            "tables",
            "caps",
        ]
        read_only_fields = ["status", "round", "closed_at", "scenario"]

    def validate_tables(self, tables):
        if len({t["name"] for t in tables}) != len(tables):
            raise serializers.ValidationError("Table names are unique.")
        return tables

    def create(self, validated_data):
        from funding.services.participatory import CapSpec

        return services.pb_session_create(
            user=_user(self),
            budget=validated_data["budget"],
            name=validated_data["name"],
            money_cents=validated_data["money_cents"],
            share_cents=validated_data.get("share"),
            epic_ids=[e.pk for e in validated_data["epics"]],
            tables={t["name"]: [u.pk for u in t["participants"]] for t in validated_data["tables"]},
            caps=[
                CapSpec(
                    max_pct=c["max_pct"], investment_type=c.get("investment_type", ""), horizon=c.get("horizon", "")
                )
                for c in validated_data.get("caps", [])
            ],
            ends_at=validated_data["ends_at"],
        )


class PBPledgeInputSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The offer id (see `offers`).")
    amount = MoneyField()


class PBPledgeSerializer(serializers.Serializer):
    """A pledge as its table (or, after close, everyone) sees it."""

    table = serializers.CharField(source="participant.table.name")
    participant = serializers.IntegerField(source="participant.user_id")
    offer = serializers.IntegerField(source="offer_id")
    epic = serializers.CharField(source="offer.epic.key")
    amount = MoneyField(source="amount_cents")
    locked = serializers.BooleanField()


class PBOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    epic = serializers.IntegerField(source="epic_id")
    key = serializers.CharField(source="epic.key")
    title = serializers.CharField(source="epic.title")
    estimate = MoneyField(source="estimate_cents")
    pooled = MoneyField(source="pooled_cents", help_text="Pledged at the caller's table.")
    funded = serializers.SerializerMethodField()

    def get_funded(self, offer) -> bool:
        return offer.pooled_cents >= offer.estimate_cents


class PBFundedEpicSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    value_stream = serializers.CharField()
    estimate = MoneyField(source="estimate_cents")
    tables = serializers.ListField(child=serializers.CharField())


class PBStreamMoneySerializer(serializers.Serializer):
    value_stream = serializers.IntegerField(source="value_stream_id")
    name = serializers.CharField()
    amount = MoneyField(source="amount_cents")


class PBOutcomeSerializer(serializers.Serializer):
    per_table = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    overall = PBFundedEpicSerializer(many=True)
    agreement = PBFundedEpicSerializer(many=True)
    by_value_stream = PBStreamMoneySerializer(many=True)
    table_count = serializers.IntegerField()
