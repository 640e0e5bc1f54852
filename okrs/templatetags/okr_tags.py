"""Template helpers for OKRs: band labels and an epic's key results (percentages are
`portfolio`'s `percent` filter, like every other percentage)."""

from django import template

from okrs.forms import BenefitKeyResultForm
from okrs.scoring import band_label as _band_label
from okrs.selectors import epic_key_results

register = template.Library()


@register.filter
def band_label(band: str) -> str:
    return _band_label(band)


@register.simple_tag
def key_results_of_epic(epic):
    return epic_key_results(epic=epic)


@register.simple_tag
def benefit_key_result_form(epic):
    """The unbound "serves key result" form of the epic page (kanban may not import okrs)."""
    return BenefitKeyResultForm(epic=epic)
