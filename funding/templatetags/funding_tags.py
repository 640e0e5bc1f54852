from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse

from core.html import html_format, html_join
from portfolio.money import format_amount

NO_DATA = "no data"  # run rate, forecast and variance before a month is booked (`forecast_known`)
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


_SLUG = "__slug__"
_BUDGET, _STREAM = 987654321, 987654322


@register.simple_tag(takes_context=True)
def allocation_rows(context, rows, *, budget, can_fund, currency, error, error_key):
    """The allocations table's body: one `format_html` per value stream instead of ~40 template
    nodes (three `{% url %}`, nine money cells, a form): the table was most of the funding page's
    time with 500 streams. The markup is the template's; every value is escaped by `format_html`.
    URLs come from one `reverse` each with placeholders (pks and slugs need no quoting)."""
    editable = bool(can_fund and budget and budget.status != "closed")
    approved = editable and budget.status == "approved"
    detail_head, _, detail_tail = reverse("value-stream-detail", args=[_SLUG]).partition(_SLUG)
    save_url = reverse("funding-allocation-save", args=[_BUDGET, _STREAM]) if editable else ""
    if editable:
        save_url = save_url.replace(str(_BUDGET), str(budget.pk))
    csrf_value = context.get("csrf_token")
    csrf = ""
    if csrf_value and csrf_value != "NOTPROVIDED":  # as `{% csrf_token %}` writes it, from the one token of the request
        csrf = html_format('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_value)
    out = []
    for row in rows:
        vs = row.value_stream
        if editable:
            url = save_url.replace(str(_STREAM), str(vs.pk))
            reason = (
                html_format(
                    '<input name="reason" placeholder="Reason" maxlength="2000" aria-label="Reason for {}">', vs.name
                )
                if approved
                else ""
            )
            allocation = html_format(
                '\n          <form method="post" action="{}" class="allocation-form"\n'
                '                hx-post="{}" hx-target="#funding-panel" hx-swap="outerHTML">\n'
                "            {}\n"
                '            <input name="amount" value="{}" inputmode="decimal" required '
                'aria-label="Allocation for {} ({})">\n'
                "            {}\n"
                '            <button type="submit" class="secondary">Save</button>\n'
                "          </form>\n          ",
                url,
                url,
                csrf,
                plain_amount(row.allocated_cents),
                vs.name,
                currency,
                reason,
            )
        else:
            allocation = format_amount(row.allocated_cents)
        field_error = (
            html_format('<small class="field-error" role="alert">{}</small>', error)
            if error and error_key == vs.pk
            else ""
        )
        spent_pct = row.spent_pct
        months = (
            html_join(", ", (date_filter(month, "M") for month in row.booked_months))
            if row.booked_months
            else "no month booked"
        )
        out.append(
            html_format(
                '<tr id="stream-{}" data-stream="{}">\n'
                '        <td><a href="{}{}{}">{}</a></td>\n'
                '        <td class="num">\n          {}\n          {}\n        </td>\n'
                '        <td class="num spent">{}</td>\n'
                '        <td class="burn">\n'
                '          <progress value="{}" max="100" class="{}" aria-label="Burn of {}"></progress>\n'
                '          <small class="burn-pct">{}</small>\n'
                "        </td>\n"
                '        <td class="num">{}<br><small class="muted booked-months">{}</small></td>\n'
                '        <td class="num">{}</td>\n'
                '        <td class="num {}">{}</td>\n'
                '        <td class="num">{}</td>\n'
                '        <td class="num">{}</td>\n'
                "      </tr>",
                vs.slug,
                vs.slug,
                detail_head,
                vs.slug,
                detail_tail,
                vs.name,
                allocation,
                field_error,
                format_amount(row.spent_cents),
                row.bar_pct,
                "overrun" if row.overrun else "",
                vs.name,
                "no allocation" if spent_pct is None else f"{spent_pct}%",
                format_amount(row.run_rate_cents) if row.has_forecast else NO_DATA,
                months,
                format_amount(row.forecast_cents) if row.has_forecast else NO_DATA,
                "negative" if row.has_forecast and row.variance_cents < 0 else "",
                format_amount(row.variance_cents) if row.has_forecast else NO_DATA,
                format_amount(row.capacity_cents),
                format_amount(row.implementing_cents),
            )
        )
    return html_join("\n    ", out)
