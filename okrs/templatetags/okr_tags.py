"""Template helpers for OKR scores: percentages, band labels, an epic's KRs."""

import math

from django import template

from okrs.selectors import BAND_LABELS, epic_key_results

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.456 -> '45%' (floored, so 0.399 never shows as a 40% that is still off track); None -> a dash."""
    if value is None:
        return "\u2013"
    return f"{math.floor(float(value) * 100 + 1e-9):d}%"


@register.filter
def band_label(band: str) -> str:
    return BAND_LABELS.get(band or "", "")


@register.simple_tag
def key_results_of_epic(epic):
    return epic_key_results(epic=epic)
