from django import template

register = template.Library()


@register.filter
def score_value(epic, name: str) -> str:
    """The epic's WSJF input `name` as the option value a <select> uses ("" when unscored)."""
    value = getattr(epic, name, None)
    return "" if value is None else str(value)
