from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from okrs import services
from okrs.models import KR_VALUE_DIGITS, KR_VALUE_PLACES, CheckIn, KeyResult, Objective
from okrs.permissions import can_manage_objective_scope
from okrs.scoring import score_band
from okrs.selectors import key_results_scored
from portfolio.models import MMP, BenefitHypothesis, Epic


class ObjectiveSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(read_only=True, allow_null=True, help_text="Weighted mean of KR grades, 0..1.")
    band = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = [
            "id",
            "quarter",
            "level",
            "value_stream",
            "title",
            "description",
            "owner",
            "theme",
            "parent",
            "score",
            "band",
        ]

    def get_band(self, obj) -> str:
        return score_band(getattr(obj, "score", None))

    def validate(self, attrs):
        level = attrs.get("level", getattr(self.instance, "level", None) or "value_stream")
        stream = attrs.get("value_stream", getattr(self.instance, "value_stream", None))
        user = self.context["request"].user
        if not can_manage_objective_scope(user, level=level, value_stream_id=stream.id if stream else None):
            raise PermissionDenied("Portfolio objectives are the directors'; a VSM writes only their streams'.")
        return attrs

    def create(self, validated_data):
        objective = services.objective_create(**validated_data)
        return Objective.objects.with_scores().get(pk=objective.pk)

    def update(self, instance, validated_data):
        objective = services.objective_update(objective=instance, **validated_data)
        return Objective.objects.with_scores().get(pk=objective.pk)


class KeyResultSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(source="progress_value", read_only=True, help_text="Raw progress (may exceed 1).")
    grade = serializers.FloatField(source="grade_value", read_only=True, help_text="Progress clamped to 0..1.")
    band = serializers.SerializerMethodField()
    epics = serializers.PrimaryKeyRelatedField(many=True, queryset=Epic.objects.all(), required=False)
    mmps = serializers.PrimaryKeyRelatedField(many=True, queryset=MMP.objects.select_related("epic"), required=False)
    # The README's rule: `current` moves only through a check-in (append-only history), so the
    # API reads it and refuses it on writes; a new KR starts at its baseline.
    current = serializers.DecimalField(
        max_digits=KR_VALUE_DIGITS, decimal_places=KR_VALUE_PLACES, read_only=True, help_text="Set by check-ins."
    )

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "objective",
            "title",
            "unit",
            "direction",
            "baseline",
            "target",
            "current",
            "weight",
            "commitment",
            "metric",
            "confidence",
            "epics",
            "mmps",
            "progress",
            "grade",
            "band",
        ]
        read_only_fields = ["confidence"]
        # The database constraints are re-checked by the service with readable messages.
        validators = []

    def get_band(self, obj) -> str:
        return score_band(getattr(obj, "grade_value", None))

    def validate(self, attrs):
        initial = self.initial_data if isinstance(getattr(self, "initial_data", None), dict) else {}
        refused = [name for name in ("current", "confidence") if name in initial]
        if refused:
            raise serializers.ValidationError(
                dict.fromkeys(refused, "Changes only through a check-in (POST key-results/{id}/check-ins/).")
            )
        objective = attrs.get("objective", getattr(self.instance, "objective", None))
        if self.instance is not None and "objective" in attrs and attrs["objective"] != self.instance.objective:
            raise serializers.ValidationError({"objective": "A key result cannot move to another objective."})
        user = self.context["request"].user
        if objective is not None and not can_manage_objective_scope(
            user, level=objective.level, value_stream_id=objective.value_stream_id
        ):
            raise PermissionDenied("Only the managers of this objective's value stream (or directors) may change it.")
        return attrs

    def create(self, validated_data):
        kr = services.key_result_create(**validated_data)
        return key_results_scored().get(pk=kr.pk)

    def update(self, instance, validated_data):
        kr = services.key_result_update(key_result=instance, **validated_data)
        return key_results_scored().get(pk=kr.pk)


class CheckInSerializer(serializers.ModelSerializer):
    date = serializers.DateField(required=False)
    confidence = serializers.IntegerField(min_value=0, max_value=10)
    by = serializers.SerializerMethodField(
        help_text='"rollup" for the readings of a KR bound to a metric, else "person".'
    )

    def get_by(self, obj) -> str:
        return "rollup" if obj.rollup_of is not None else "person"

    class Meta:
        model = CheckIn
        fields = ["id", "key_result", "date", "value", "confidence", "note", "author", "by", "created_at"]
        read_only_fields = ["key_result", "author", "created_at"]


class KeyResultAsOfSerializer(KeyResultSerializer):
    """A key result as it stood on `?as_of=` (a history row). Links to epics and MMPs are not
    history-tracked: empty."""

    epics = serializers.SerializerMethodField()
    mmps = serializers.SerializerMethodField()

    def get_epics(self, obj) -> list[int]:
        return []

    def get_mmps(self, obj) -> list[int]:
        return []


class KeyResultBenefitSerializer(serializers.Serializer):
    """A benefit hypothesis tied to the key result it serves."""

    benefit = serializers.PrimaryKeyRelatedField(queryset=BenefitHypothesis.objects.all())
    key_result = serializers.IntegerField(source="key_result_id", read_only=True)
