from django import template

from portfolio.money import format_amount

register = template.Library()


@register.filter
def money(cents):
    """Integer cents as a grouped amount with two decimals: 2500000 -> '25,000.00'."""
    return format_amount(cents)


@register.filter
def percent(value, places: int = 0):
    """A 0..1 ratio as a percentage string; None shows a dash."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"
