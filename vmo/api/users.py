"""Users and their roles through the API: directors only, reads included (e-mail addresses are
not the whole portfolio's business). Writes go through `vmo.services.users`."""

from django.contrib.auth import get_user_model
from rest_framework import mixins, serializers, viewsets

from portfolio.api.settings import IsDirector
from portfolio.roles import ALL_ROLES
from portfolio.selectors.settings import settings_users
from vmo.services.users import user_save


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.MultipleChoiceField(choices=ALL_ROLES, required=False, help_text="The user's roles.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "roles"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(group.name for group in instance.groups.all() if group.name in ALL_ROLES)
        return data

    def create(self, validated_data):
        return user_save(user=self.context["request"].user, **self._with_role_list(validated_data))

    def update(self, instance, validated_data):
        return user_save(user=self.context["request"].user, target=instance, **self._with_role_list(validated_data))

    @staticmethod
    def _with_role_list(data: dict) -> dict:
        if "roles" in data:
            data["roles"] = sorted(data["roles"])
        return data


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Users with their roles. Deactivate with `is_active: false`; users are never deleted (their
    names stay on the changes they made)."""

    serializer_class = UserSerializer
    permission_classes = [IsDirector]
    ordering_fields = ["username", "id"]

    def get_queryset(self):
        return settings_users()
