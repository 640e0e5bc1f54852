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
from vmo.selectors.report_summary import report_summary
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
            # Money value per year where known, WSJF cost-of-delay points where not.
            "y": chart_amount(epic.money_value_cents) if epic.value_basis != "wsjf" else epic.cost_of_delay,
            "basis": epic.value_basis,
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
    summary = report_summary(report=report)
    return {
        "report": report,
        "summary": summary,
        "chart_data": _report_chart_data(summary),
        "month_value": month.strftime("%Y-%m"),
        "value_streams": ValueStream.objects.active(),
        "value_stream": value_stream,
    }


def _report_chart_data(summary) -> dict | None:
    """The report's chart series: money in currency units, ratios as percentages, days by date."""
    if summary is None:
        return None
    streams = summary.streams
    return {
        "streams": [row.name for row in streams],
        "allocated": [chart_amount(row.allocated_cents) for row in streams],
        "spent": [chart_amount(row.spent_cents) for row in streams],
        "forecast": [chart_amount(row.forecast_cents) for row in streams],
        "flow_time": [row.flow_time_median_days for row in streams],
        "deployments": [row.deployments_per_week for row in streams],
        "okr_trend": [{"x": day.isoformat(), "y": round(score * 100, 1)} for day, score in summary.okr_trend],
    }


@require_GET
def monthly_report_page(request):
    return render(request, "vmo/report_monthly.html", _report_context(request))


@require_GET
def monthly_report_pdf(request):
    context = _report_context(request)
    return monthly_report_pdf_response(context["report"], summary=context["summary"])


@require_GET
def export(request, name: str, fmt: str):
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    if quarter is None:
        raise Http404("No quarter to export.")
    table = export_table(name=name, quarter=quarter)
    return table_response(table, fmt=fmt, filename=f"vmo-{name}-{quarter.code}")
