"""Figure labels that link to their definition on /metrics/ (with the formula as a tooltip)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from portfolio.metrics import BY_KEY

register = template.Library()


@register.simple_tag
def metric_label(key: str, label: str = ""):
    """`<a href="/metrics/#key" title="formula">label</a>` for a catalogue key."""
    metric = BY_KEY[key]
    return format_html(
        '<a href="{}#{}" class="metric-label" title="{}">{}</a>',
        reverse("metrics"),
        metric.key,
        metric.formula,
        label or metric.name,
    )


@register.simple_tag
def metric_info(key: str):
    """A small circled "i" beside a column heading, linking to the metric's definition.

    Drawn by CSS from a plain letter, not the "ⓘ" character: fonts without that glyph (headless
    Chromium on a bare Debian) showed an empty box."""
    metric = BY_KEY[key]
    return format_html(
        '<a href="{}#{}" class="metric-info" title="{}" aria-label="How {} is computed">i</a>',
        reverse("metrics"),
        metric.key,
        metric.formula,
        metric.name,
    )


@register.simple_tag
def no_data(reasons, key: str):
    """'no data' with the reason a figure is null (from a snapshot's `dora_no_data`)."""
    reason = (reasons or {}).get(key, "")
    if reason:
        return format_html('<span class="no-data" data-metric="{}">no data: {}</span>', key, reason)
    return format_html('<span class="no-data" data-metric="{}">no data</span>', key)
