"""The overview's per-stream table rows, written in Python.

With 500 value streams the overview's three per-stream tables are about 15,000 cells; as template
nodes (a lookup, a filter, an escape and a `{% url %}` each) they were most of the page's time.
Here each row is one `format_html` call over display texts written once per row (`with_bands`,
`portfolio.money`), so the markup reads the same and costs a fraction. Every value still goes
through `format_html`'s escaping; the markup must stay as the template had it (tests pin ids and
classes).
"""

from django import template
from django.template.defaultfilters import floatformat, pluralize
from django.urls import reverse

from core.html import html_format, html_join
from portfolio.money import NO_VALUE, format_amount, format_percent

register = template.Library()

_SLUG = "__slug__"


def _detail_url_prefix() -> tuple[str, str]:
    """The value stream page's URL around its slug, from one `reverse` (a slug needs no quoting)."""
    head, _, tail = reverse("value-stream-detail", args=[_SLUG]).partition(_SLUG)
    return head, tail


@register.simple_tag
def overview_table_rows(rows, can_raise_actions: bool, quarter_code: str):
    """The overview table's body rows (`{% empty %}` stays in the template)."""
    head, tail = _detail_url_prefix()
    action_url = reverse("overview-action-item")
    out = []
    for row in rows:
        band = html_format(' <span class="badge band-{}">{}</span>', row.band, row.band_label) if row.band else " "
        action = ""
        if can_raise_actions:
            link = html_format("{}?value_stream={}&quarter={}", action_url, row.id, quarter_code)
            action = html_format(
                '\n        <td><a href="{}"\n               hx-get="{}"\n               hx-target="#action-item-panel" '
                'hx-swap="innerHTML" class="raise-action">Raise action</a></td>',
                link,
                link,
            )
        out.append(
            html_format(
                '<tr id="vs-row-{}" data-value-stream="{}">\n'
                '        <th scope="row"><a href="{}{}{}">{}</a> '
                '<small class="badge mode-{}" data-mode="{}">{}</small></th>\n'
                '        <td class="num">{}</td>\n        <td class="num">{}</td>\n        <td class="num">{}</td>\n'
                '        <td class="num">{}{}</td>\n        <td class="num">{}</td>\n        <td class="num">{}</td>\n'
                '        <td class="num">{}</td>\n        <td>{}</td>\n        <td class="num">{}</td>{}\n      </tr>',
                row.id,
                row.slug,
                head,
                row.slug,
                tail,
                row.name,
                row.delivery_mode,
                row.delivery_mode,
                row.mode_label,
                row.allocated_text,
                row.spent_text,
                row.forecast_text,
                row.okr_text,
                band,
                row.progress_text,
                row.velocity_text,
                row.flow_time_text,
                row.dora_label,
                row.open_risks,
                action,
            )
        )
    return html_join("\n      ", out)


@register.simple_tag
def value_table_rows(value_rows, no_value_days: int):
    """'What the money bought': one row per stream from its latest rollup's value figures."""
    head, tail = _detail_url_prefix()
    out = []
    for row in value_rows:
        f = row.figures
        vs = row.value_stream
        benefit = (
            f"{format_amount(f['benefit_planned_cents'])} / {format_amount(f['benefit_realised_cents'])}"
            if f["benefit_planned_cents"] is not None
            else "no data"
        )
        realised = f"{floatformat(f['return_realised'], 2)}\u00d7" if f["return_realised"] is not None else NO_VALUE
        planned = f"{floatformat(f['return_planned'], 2)}\u00d7" if f["return_planned"] is not None else NO_VALUE
        ttv = (
            f"{floatformat(f['time_to_value_median_days'], 1)} / {floatformat(f['time_to_value_p85_days'], 1)}"
            if f["time_to_value_median_days"] is not None
            else "no data"
        )
        predictability = format_percent(f["predictability"]) if f["predictability"] is not None else "no data"
        no_value = cost = mvps = ""
        if f["no_value_alarm"]:
            no_value = html_format(
                '<span class="badge band-off_track no-value-alarm">No release of user value in {} days</span>',
                no_value_days,
            )
        if f["cost_flagged_months"]:
            cost = html_format(
                '<span class="badge band-at_risk">Spend strays from team cost: {}</span>',
                html_join(", ", f["cost_flagged_months"]),
            )
        if f["mvps_unevaluated"]:
            n = f["mvps_unevaluated"]
            mvps = html_format('<span class="badge">{} MVP{} not evaluated</span>', n, pluralize(n))
        alarms = html_format("{}\n            {}\n            {}", no_value, cost, mvps)
        out.append(
            html_format(
                '<tr id="value-row-{}">\n        <th scope="row"><a href="{}{}{}">{}</a></th>\n'
                '        <td class="num">{}</td>\n        <td class="num">{}</td>\n'
                '        <td class="num">{} / {}</td>\n        <td class="num">{}</td>\n'
                '        <td class="num">{}</td>\n        <td>{}</td>\n      </tr>',
                vs.id,
                head,
                vs.slug,
                tail,
                vs.name,
                benefit,
                format_amount(f["actual_cost_cents"]),
                realised,
                planned,
                ttv,
                predictability,
                alarms,
            )
        )
    return html_join("\n    ", out)


@register.simple_tag
def quarter_delta_rows(rows):
    """'Then and now': each stream's figures against the previous quarter's."""
    row_format = '<tr>\n        <th scope="row">{}</th>\n' + '        <td class="num">{}</td>\n' * 8 + "      </tr>"
    return html_join(
        "\n      ",
        (
            html_format(
                row_format,
                row.name,
                row.spent_text,
                row.delta_spent_text,
                row.okr_text,
                row.delta_okr_text,
                row.progress_text,
                row.delta_progress_text,
                row.velocity_text,
                row.delta_velocity_text,
            )
            for row in rows
        ),
    )
