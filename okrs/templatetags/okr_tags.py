"""Template helpers for OKRs: band labels and an epic's key results (percentages are
`portfolio`'s `percent` filter, like every other percentage)."""

from django import template

from okrs.scoring import band_label as _band_label
from okrs.selectors import epic_key_results

register = template.Library()


@register.filter
def band_label(band: str) -> str:
    return _band_label(band)


@register.simple_tag
def key_results_of_epic(epic):
    return epic_key_results(epic=epic)
