from django.contrib.auth import get_user_model
from rest_framework import serializers

from portfolio.models import Quarter, StrategicTheme, ValueStream
from portfolio.services import base as services
from portfolio.services import settings as settings_services


class ValueStreamSerializer(serializers.ModelSerializer):
    managers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.filter(is_active=True), required=False
    )

    class Meta:
        model = ValueStream
        fields = ["id", "name", "slug", "kind", "delivery_mode", "description", "managers", "active"]
        extra_kwargs = {"slug": {"required": False}}

    def create(self, validated_data):
        return settings_services.value_stream_save(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return settings_services.value_stream_save(
            user=self.context["request"].user, value_stream=instance, **validated_data
        )


class QuarterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quarter
        fields = ["id", "code", "start", "end", "status"]

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": "The quarter must end after it starts."})
        return attrs

    def create(self, validated_data):
        return settings_services.quarter_save(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return settings_services.quarter_save(user=self.context["request"].user, quarter=instance, **validated_data)


class StrategicThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicTheme
        fields = ["id", "name", "slug", "description", "active"]
        extra_kwargs = {"slug": {"required": False}}

    def create(self, validated_data):
        return services.theme_create(**validated_data)

    def update(self, instance, validated_data):
        return services.theme_update(theme=instance, **validated_data)
