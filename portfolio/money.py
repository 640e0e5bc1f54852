"""Money helpers: amounts live as integer cents in the database and as Decimal in Python.

SQLite keeps DecimalField values as binary floats, so sums over many rows drift; integer cents
are exact on every backend. Parsing never goes through float, and an amount that would need
rounding is rejected rather than rounded.
"""

import functools
import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

CENT = Decimal("0.01")
# The largest amount a BigIntegerField of cents holds comfortably (about 92 trillion).
MAX_AMOUNT = Decimal("92233720368547.75")
# Plain ASCII digits, an optional sign, at most two decimals: no exponents, no separators,
# no localised digits (str.isdigit would accept Arabic-Indic digits; this pattern does not).
_AMOUNT_RE = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")


def cents_to_decimal(cents: int | None) -> Decimal | None:
    """An amount in cents as a Decimal with two places (None stays None)."""
    if cents is None:
        return None
    return (Decimal(int(cents)) * CENT).quantize(CENT)


def cents_to_text(cents: int) -> str:
    """Integer cents as the API's two-decimal string ("2500000.00", "-0.05"), by integer
    arithmetic: the same text as formatting `cents_to_decimal`, without building a Decimal, since
    a list of 500 epics formats three amounts per row."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def decimal_to_cents(amount: Decimal) -> int:
    """A Decimal with at most two places as integer cents; refuses anything that would round."""
    try:
        cents = amount.scaleb(2)
        if cents != cents.to_integral_value():
            raise ValidationError("Amounts have at most two decimal places.", code="precision")
        return int(cents)
    except (InvalidOperation, ArithmeticError, ValueError) as exc:
        raise ValidationError("Amount must be a finite number with at most two decimals.", code="invalid") from exc


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """Parse user input (a string, int or Decimal, never a float) into an exact amount.

    Raises ValidationError with a message a user can act on.
    """
    if isinstance(value, bool | float):
        raise ValidationError("Send amounts as strings or exact decimals, not floating point.", code="invalid")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError("Amount must be a finite number.", code="invalid")
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationError("Amount must be a number such as 1234.50.", code="invalid")
    if not _AMOUNT_RE.match(text):
        raise ValidationError(
            "Amount must be plain digits with at most two decimals, such as 1234.50 "
            "(no exponents, separators or currency signs).",
            code="invalid",
        )
    amount = Decimal(text)
    # "-0.00" is refused too: a sign on a non-negative amount is a slip worth telling about.
    if (amount < 0 or text.startswith("-")) and not allow_negative:
        raise ValidationError("Amount cannot be negative.", code="min_value")
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError("Amount is too large.", code="max_value")
    return amount.quantize(CENT)


# What a page shows where a figure has no value.
NO_VALUE = "—"


def format_amount(cents: int | None) -> str:
    """Cents as '1,234,567.89' for pages (exports use the plain two-decimal string)."""
    if cents is None:
        return NO_VALUE
    # Integer arithmetic, the same text as f"{cents_to_decimal(cents):,.2f}" without building and
    # quantizing a Decimal: a 500-stream page formats thousands of amounts.
    cents = int(cents)
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole:,}.{part:02d}"


def format_percent(ratio, places: int = 0) -> str:
    """A ratio as a percentage for people: 0.456 -> '45%'.

    The one rounding rule for percentages: round DOWN (floor) to the places shown. A score band
    sits beside many percentages (off track below 40%), and 0.396 must read "39%", never a "40%"
    that is still off track. None (no data) shows a dash.
    """
    if ratio is None or ratio == "":
        return NO_VALUE
    return _floored_percent(float(ratio), int(places))


@functools.lru_cache(maxsize=4096)
def _floored_percent(ratio: float, places: int) -> str:
    """Cached by value: a page of 500 streams shows a few thousand percentages, many repeated
    (0%, 100%, the same snapshot figures in two tables), and the Decimal work is most of each."""
    scale = Decimal(10) ** places
    # Decimal of the float's shortest repr, so 0.29 * 100 is 29, not 28.999999999999996.
    floored = (Decimal(str(ratio)) * 100 * scale).to_integral_value(rounding=ROUND_FLOOR) / scale
    return f"{floored:.{places}f}%"


def format_quantity(value, places: int | None = None) -> str:
    """A measured value (a key result's 150.00 points, 2.50 days) for people: grouped, no
    trailing zeros and never scientific notation ("1.5E+2" is what `Decimal.normalize()`
    writes for 150). `places` rounds first (half up), for measured floats. None shows a dash."""
    if value is None or value == "":
        return NO_VALUE
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f}"


def chart_amount(cents: int | None) -> float | None:
    """Cents as currency units for a chart axis (every chart plots money in units, not cents).
    A float is fine here: a chart draws, nothing adds it up."""
    if cents is None:
        return None
    return float(cents_to_decimal(cents))
