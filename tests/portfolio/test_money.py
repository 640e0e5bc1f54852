"""Parsing amounts: exact or refused with a message, never rounded, never through float."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolio.money import cents_to_decimal, decimal_to_cents, format_amount, parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", Decimal("1234.50")),
        (" 7 ", Decimal("7.00")),
        (12, Decimal("12.00")),
        (Decimal("0.1"), Decimal("0.10")),
    ],
)
def test_exact_amounts_parse(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["1.234", "1e3", "NaN", "Infinity", "1,000.00", "١٢٣", "-5", "-0", "-0.00", "", "€5", 1.5, True, None],
)
def test_inexact_or_foreign_amounts_are_refused(raw):
    with pytest.raises(ValidationError):
        parse_amount(raw)


def test_negative_amounts_only_where_allowed():
    assert parse_amount("-5.25", allow_negative=True) == Decimal("-5.25")


def test_cents_round_trip_exactly():
    assert decimal_to_cents(Decimal("1234567890123456.78")) == 123456789012345678
    assert cents_to_decimal(123456789012345678) == Decimal("1234567890123456.78")
    assert format_amount(250000000) == "2,500,000.00"


def test_an_amount_needing_rounding_is_refused_when_converted():
    with pytest.raises(ValidationError):
        decimal_to_cents(Decimal("0.005"))
