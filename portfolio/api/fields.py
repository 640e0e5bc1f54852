"""The money field of every API: integer cents inside, two-decimal strings outside."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from portfolio.money import cents_to_text, decimal_to_cents, parse_amount


class MoneyField(serializers.Field):
    """An amount stored as integer cents, sent as a two-decimal string ("2500000.00").

    Input must be exact: strings or JSON numbers with at most two decimals; exponents, NaN,
    separators, localised digits and negative values are refused with a message.
    """

    default_error_messages = {"invalid": "Enter an amount such as 1234.50."}

    def __init__(self, *, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_representation(self, value):
        return cents_to_text(value)

    def to_internal_value(self, data):
        try:
            return decimal_to_cents(parse_amount(data, allow_negative=self.allow_negative))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


# Tell drf-spectacular that money is a decimal string.
try:
    from drf_spectacular.extensions import OpenApiSerializerFieldExtension
    from drf_spectacular.plumbing import build_basic_type
    from drf_spectacular.types import OpenApiTypes

    class MoneyFieldExtension(OpenApiSerializerFieldExtension):
        target_class = MoneyField

        def map_serializer_field(self, auto_schema, direction):
            # A string, as the API sends it (OpenApiTypes.DECIMAL maps to a JSON number, which
            # every money field in every response contradicted).
            schema = build_basic_type(OpenApiTypes.STR)
            schema["format"] = "decimal"
            schema["pattern"] = r"^-?\d+(\.\d{1,2})?$"
            schema["example"] = "2500000.00"
            return schema
except ImportError:  # pragma: no cover - drf-spectacular is a pinned dependency
    pass
