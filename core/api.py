"""API plumbing shared by every app's endpoints: JSON parsing, pagination and the error shape.

The viewset without delete is in `core.viewsets` (DRF's views read the settings that name this
module, so it imports none of them); money has its field in `portfolio.api.fields`."""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response


class DecimalJSONParser(JSONParser):
    """JSON parser that reads every number as Decimal, never float.

    DRF's default turns 1234567890123456.78 into ...56.80 before any serializer sees it.
    NaN and Infinity literals are refused outright.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            if not text:
                return {}
            return json.loads(text, parse_float=_parse_decimal, parse_int=int, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc


def _parse_decimal(text: str) -> Decimal:
    # Exponent notation has no place in amounts or scores, and a huge exponent is a cheap way
    # to make Decimal arithmetic expensive.
    if "e" in text.lower():
        raise ValueError(f"{text} uses exponent notation; send plain decimals such as 1234.50")
    return Decimal(text)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number this API accepts")


class CappedPageNumberPagination(PageNumberPagination):
    """Page-number pagination; clients may ask for up to 500 rows a page, never more."""

    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus Django validation and integrity errors as 400/409 JSON, never 500."""
    # Imported here: rest_framework.views reads the API settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": "The change conflicts with existing data; nothing was written."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
