"""Fast validation of a bulk API batch: plain Python checks per row, DRF for anything unusual.

A 1,000-row batch through `Serializer(many=True)` spent most of the request in DRF's per-field
machinery (bind, get_value, run_validation, validators, error collection) for rows that are
plain JSON objects of ints, strings and ISO datetimes. `fast_rows` checks those rows with the
serializer's own field settings (choices, bounds, lengths, nullability, required) and its
`validate()`, and returns the same validated rows. It never produces an error itself: when a
row is not in the plain form it understands, or anything fails, it returns None and the caller
runs the serializer, so every 400 message is DRF's, word for word.
"""

import re
from collections.abc import Callable

from rest_framework import fields as drf
from rest_framework import serializers

_SURROGATE = re.compile("[\ud800-\udfff]")


class _Unusual(Exception):
    """A value the fast path does not handle: the serializer decides."""


def _text(field: drf.CharField) -> Callable:
    max_length, allow_blank, trim = field.max_length, field.allow_blank, field.trim_whitespace

    def check(value):
        if type(value) is not str:
            raise _Unusual
        text = value.strip() if trim else value
        if value == "" or text == "":  # DRF's blank: empty, or only whitespace when trimming
            if not allow_blank:
                raise _Unusual
            return ""
        if (max_length is not None and len(text) > max_length) or "\x00" in text:
            raise _Unusual
        if not text.isascii() and _SURROGATE.search(text):
            raise _Unusual
        return text

    return check


def _integer(field: drf.IntegerField) -> Callable:
    low, high = field.min_value, field.max_value

    def check(value):
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            raise _Unusual
        return value

    return check


def _choice(field: drf.ChoiceField) -> Callable:
    values = field.choice_strings_to_values

    def check(value):
        if type(value) is not str or value not in values:
            raise _Unusual
        return values[value]

    return check


def _boolean(_field) -> Callable:
    def check(value):
        if type(value) is not bool:
            raise _Unusual
        return value

    return check


def _datetime(field: drf.DateTimeField) -> Callable:
    def check(value):
        if type(value) is not str:
            raise _Unusual
        try:
            return field.to_internal_value(value)
        except Exception as exc:
            raise _Unusual from exc

    return check


# Looked up by exact type: a subclass with rules of its own (EmailField, ...) is not mirrored.
_CHECKERS = {
    drf.CharField: _text,
    drf.IntegerField: _integer,
    drf.ChoiceField: _choice,
    drf.BooleanField: _boolean,
    drf.DateTimeField: _datetime,
}
_plans: dict[type, list | None] = {}


def _plan(serializer_class: type[serializers.Serializer]) -> list | None:
    """(name, source, required, allow_null, check) per writable field, or None when a field is
    of a kind (or carries validators) the fast path does not mirror exactly."""
    if serializer_class in _plans:
        return _plans[serializer_class]
    plan = []
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        make = _CHECKERS.get(type(field))
        own_validators = [
            v
            for v in field.validators
            if not isinstance(
                v,
                drf.MaxLengthValidator
                | drf.MinValueValidator
                | drf.MaxValueValidator
                | drf.ProhibitNullCharactersValidator
                | drf.ProhibitSurrogateCharactersValidator,
            )
        ]
        if make is None or own_validators or field.default is not drf.empty or getattr(field, "min_length", None):
            plan = None
            break
        plan.append((name, field.source, field.required, field.allow_null, make(field)))
    _plans[serializer_class] = plan
    return plan


def fast_rows(serializer_class: type[serializers.Serializer], data: list) -> list[dict] | None:
    """The validated rows of `data` (keyed by field source, as `validated_data` is), or None:
    then run `serializer_class(data=data, many=True)` for DRF's answer and its messages."""
    plan = _plan(serializer_class)
    if plan is None:
        return None
    validate = serializer_class().validate
    rows = []
    try:
        for item in data:
            if type(item) is not dict:
                return None
            attrs = {}
            for name, source, required, allow_null, check in plan:
                if name not in item:
                    if required:
                        return None
                    continue
                value = item[name]
                if value is None:
                    if not allow_null:
                        return None
                    attrs[source] = None
                else:
                    attrs[source] = check(value)
            rows.append(validate(attrs))
    except (_Unusual, serializers.ValidationError):
        return None
    return rows
