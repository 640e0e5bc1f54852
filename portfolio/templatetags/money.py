"""Template filters for money and percentages: thin wrappers over `portfolio.money`, the one
place that decides how a figure is written."""

from django import template

from portfolio.money import format_amount, format_percent, format_quantity

register = template.Library()


@register.filter
def money(cents):
    """Integer cents as a grouped amount with two decimals: 2500000 -> '25,000.00'."""
    return format_amount(cents)


@register.filter
def percent(value, places: int = 0):
    """A 0..1 ratio as a percentage, floored (see `format_percent`); None shows a dash."""
    return format_percent(value, places)


@register.filter
def quantity(value, places=None):
    """A measured value grouped, without trailing zeros or exponent: Decimal('150.00') -> '150';
    `|quantity:1` rounds to one place first (32.66 days -> '32.7')."""
    return format_quantity(value, places)
