from django import template

from portfolio.money import cents_to_decimal

register = template.Library()


@register.filter
def plain_amount(cents):
    """Cents as the plain two-decimal text a form field accepts back: 250000 -> '2500.00'."""
    if cents is None or cents == "":
        return ""
    return f"{cents_to_decimal(cents):.2f}"


@register.filter
def tenths(value):
    """Tenths as a one-decimal number: 25 -> '2.5'."""
    if value is None:
        return "—"
    return f"{int(value) // 10}.{int(value) % 10}"
