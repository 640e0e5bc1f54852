"""Base viewsets every app's API may use."""

from rest_framework import mixins, viewsets


class NoDeleteViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD without delete, for rows that money or history refer to: they are deactivated,
    closed, canceled or ROAMed, never removed."""
