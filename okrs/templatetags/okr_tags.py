"""Template helpers for OKR scores: percentages, band labels, an epic's KRs."""

from django import template

from okrs.selectors import BAND_LABELS, epic_key_results

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.456 -> '46%'; None -> a dash."""
    if value is None:
        return "\u2013"
    return f"{round(float(value) * 100):d}%"


@register.filter
def band_label(band: str) -> str:
    return BAND_LABELS.get(band or "", "")


@register.simple_tag
def key_results_of_epic(epic):
    return epic_key_results(epic=epic)
