"""The executive's reports: the features economy, the monthly report (page and PDF), exports."""

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portfolio.models import ValueStream
from portfolio.money import chart_amount
from portfolio.selectors.base import quarter_from_code
from vmo.exports import monthly_report_pdf_response, table_response
from vmo.selectors.reports import EXPORTS, epic_economy, export_table, monthly_report


def _value_stream_from(request) -> ValueStream | None:
    slug = request.GET.get("value_stream") or ""
    return ValueStream.objects.filter(slug=slug).first() if slug else None


def _month_from(request) -> dt.date:
    """`?month=2026-07`; anything else is the current month."""
    raw = request.GET.get("month") or ""
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@require_GET
def economy(request):
    value_stream = _value_stream_from(request)
    result = epic_economy(value_stream=value_stream)
    points = [
        {
            "key": epic.key,
            "title": epic.title,
            "x": chart_amount(epic.estimated_cost_cents),
            "y": epic.cost_of_delay,
            "quadrant": epic.quadrant,
        }
        for epic in result.epics
    ]
    chart = {
        "points": points,
        "value_split": result.value_split,
        "cost_split": chart_amount(result.cost_split_cents),
    }
    context = {
        "economy": result,
        "chart": chart,
        "value_stream": value_stream,
        "value_streams": ValueStream.objects.active(),
    }
    return render(request, "vmo/report_economy.html", context)


def _report_context(request) -> dict:
    month = _month_from(request)
    value_stream = _value_stream_from(request)
    report = monthly_report(month=month, value_stream=value_stream)
    return {
        "report": report,
        "month_value": month.strftime("%Y-%m"),
        "value_streams": ValueStream.objects.active(),
        "value_stream": value_stream,
    }


@require_GET
def monthly_report_page(request):
    return render(request, "vmo/report_monthly.html", _report_context(request))


@require_GET
def monthly_report_pdf(request):
    context = _report_context(request)
    return monthly_report_pdf_response(context["report"])


@require_GET
def export(request, name: str, fmt: str):
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    if quarter is None:
        raise Http404("No quarter to export.")
    table = export_table(name=name, quarter=quarter)
    return table_response(table, fmt=fmt, filename=f"vmo-{name}-{quarter.code}")
