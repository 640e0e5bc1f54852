"""Base viewsets every app's API may use."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, viewsets

AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The collection as it stood at the end of this day (installation time zone), from the history.",
)


class NoDeleteViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD without delete, for rows that money or history refer to: they are deactivated,
    closed, canceled or ROAMed, never removed."""


class AsOfListMixin:
    """`?as_of=YYYY-MM-DD` on a collection: the rows as they stood at the end of that day, read
    from the history tables (read-only; the collection's filters apply, `ordering` does not).

    The viewset names `as_of_queryset(day)` (a selector of the owning app), and the serializer
    and FilterSet for history rows (`as_of_serializer_class`, `as_of_filterset_class`).
    """

    as_of_serializer_class = None
    as_of_filterset_class = None

    def as_of_day(self):
        from django.core.exceptions import ValidationError as DjangoValidationError
        from rest_framework.exceptions import ValidationError

        from core.history import as_of_date

        try:
            return as_of_date(self.request.query_params.get("as_of"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None

    def list(self, request, *args, **kwargs):
        day = self.as_of_day()
        if day is None:
            return super().list(request, *args, **kwargs)
        from rest_framework.exceptions import ValidationError

        rows = self.as_of_queryset(day)
        if self.as_of_filterset_class is not None:
            filterset = self.as_of_filterset_class(request.query_params, queryset=rows, request=request)
            if not filterset.is_valid():
                raise ValidationError(filterset.errors)
            rows = filterset.qs
        page = self.paginate_queryset(rows)
        serializer = self.as_of_serializer_class(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)
