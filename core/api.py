"""API plumbing shared by every app's endpoints: JSON parsing, pagination and the error shape.

The viewset without delete is in `core.viewsets` (DRF's views read the settings that name this
module, so it imports none of them); money has its field in `portfolio.api.fields`."""

import json
import re
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response


class JSONTooLarge(ValueError):
    """The body is larger than `JSON_MAX_BODY_BYTES` (answered 413)."""


class JSONRefused(ValueError):
    """The body is nested deeper than `JSON_MAX_DEPTH` or carries NUL characters (answered 400)."""


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


# Strings first (their brackets do not nest anything), then every byte but the brackets.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_NESTING_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_body_check(body: bytes) -> None:
    """Refuse a JSON body before Python's parser recurses or allocates: too large (JSONTooLarge),
    nested deeper than the limit, or holding NUL characters (JSONRefused).

    `json.loads` recurses once per level: a thousand levels raised RecursionError, a 500. The
    depth is counted over the brackets outside strings, with regular expressions and one
    running sum (no Python loop per byte). NUL cannot be stored in PostgreSQL text.
    """
    if len(body) > settings.JSON_MAX_BODY_BYTES:
        raise JSONTooLarge(f"The body is larger than {settings.JSON_MAX_BODY_BYTES} bytes.")
    if b"\x00" in body or b"\\u0000" in body:
        raise JSONRefused("The body contains NUL characters.")
    max_depth = settings.JSON_MAX_DEPTH
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b'""', body))
    if len(brackets) <= 2 * max_depth:
        return  # too few brackets to nest that deep; the parser reports any other fault
    # Openers count +1 and closers -1 (signed bytes); the running sum's maximum is the depth.
    steps = memoryview(brackets.translate(_NESTING_STEPS)).cast("b")
    if max(accumulate(steps)) <= max_depth:
        return
    raise JSONRefused(f"The JSON is nested deeper than {max_depth} levels.")


def json_loads_decimal(body: bytes, encoding: str = "utf-8"):
    """Parse JSON after `json_body_check`, numbers as Decimal (never float), refusing NaN and
    Infinity and exponent notation. Raises ValueError (JSONTooLarge for a 413)."""
    json_body_check(body)
    text = body.decode(encoding)
    if not text:
        return {}
    return json.loads(text, parse_float=_parse_decimal, parse_int=int, parse_constant=_refuse_constant)


class DecimalJSONParser(JSONParser):
    """JSON parser that reads every number as Decimal, never float, within size and depth limits.

    DRF's default turns 1234567890123456.78 into ...56.80 before any serializer sees it.
    NaN and Infinity literals are refused outright. A body over `JSON_MAX_BODY_BYTES` is a 413,
    one nested deeper than `JSON_MAX_DEPTH` or holding NUL a 400.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        # One byte over the limit is enough to know; never read a hostile body whole.
        body = stream.read(settings.JSON_MAX_BODY_BYTES + 1)
        try:
            return json_loads_decimal(body, encoding)
        except JSONTooLarge as exc:
            raise PayloadTooLarge(str(exc)) from exc
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


class QuietFilterBackend(DjangoFilterBackend):
    """django-filter's backend, without building the FilterSet when the request names none of its
    filters (a plain `?page_size=20` list): the FilterSet deep-copies every filter and its
    queryset and validates a form, about a millisecond of a list that costs a few, to change
    nothing. A parameter that starts with a filter's name (`created_after` of `created`)
    counts as naming it, so multi-widget filters are still validated."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class CappedPageNumberPagination(PageNumberPagination):
    """Page-number pagination; clients may ask for up to 500 rows a page, never more."""

    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus Django validation and integrity errors as 400/409 JSON and a body over
    the upload limit as 413, never 500."""
    # Imported here: rest_framework.views reads the API settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        # DRF reads the body through Django's `request.body`, which enforces
        # DATA_UPLOAD_MAX_MEMORY_SIZE; Django would answer a bare 400 page.
        exc = PayloadTooLarge()
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
