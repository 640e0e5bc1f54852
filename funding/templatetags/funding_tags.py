from django import template

from portfolio.money import format_amount

register = template.Library()


@register.filter
def plain_amount(cents):
    """Cents as the grouped text a money field accepts back: 250000000 -> '2,500,000.00'."""
    if cents is None or cents == "":
        return ""
    return format_amount(cents)


@register.filter
def tenths(value):
    """Tenths as a one-decimal number: 25 -> '2.5'."""
    if value is None:
        return "—"
    return f"{int(value) // 10}.{int(value) % 10}"
