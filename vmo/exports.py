"""CSV and XLSX downloads of the overview and the lists, with the values users see on the page.

Spreadsheet programs run text that starts with = + - @ (or a tab / carriage return before one)
as a formula: such text cells get a leading apostrophe. Only text is neutralised: every column
has a kind, and numbers stay numbers so a sheet can sum and sort them.

Column kinds (`Table.kinds`, one per header; text when not given):
  text     a string
  money    Decimal in currency units: CSV "1234.56"; XLSX a number in the currency format
  percent  a 0..1 ratio: CSV "0.4333"; XLSX the same number shown as a percentage
  number   a measured value (Decimal or float): CSV plain digits, never an exponent
  integer  a whole number; count: a whole number that adds up (summed in the totals row)
  date     a date: CSV "2026-07-31"; XLSX a date; month: CSV "2026-07"; XLSX a date shown as a month
  datetime a naive local date and time: CSV "2026-07-31T14:05:00"; XLSX shown to the minute
XLSX sheets have the header row frozen, an auto filter, column widths from their content and,
where a table has money or count columns, a totals row of SUBTOTAL formulas (they follow the
filter). CSVs have no totals row, so every line is a record.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {
    "percent": "0.0%",
    "number": "#,##0.0##",
    "integer": "0",
    "count": "#,##0",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "datetime": "yyyy-mm-dd hh:mm",
}
SUMMED = ("money", "count")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Table:
    """A rectangular export: a title (the sheet name), headers, rows of cells, and each
    column's kind (see the module docstring)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    kinds: Sequence[str] = ()
    # Further sheets of the XLSX (the history of the rows); a CSV has one table only.
    sheets: Sequence["Table"] = ()

    def kind(self, index: int) -> str:
        return self.kinds[index] if index < len(self.kinds) else "text"


def neutralise(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_filename(name: str) -> str:
    """Letters, digits, dot, dash and underscore only: no quotes, slashes or header injection."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned or "export"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _plain_number(value) -> str:
    """Digits and a point, never an exponent (str(1e-05) and Decimal.normalize() write one)."""
    return format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")


def _cell_text(value: object, kind: str = "text") -> object:
    if value is None:
        return ""
    if kind == "month" and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | float):
        if kind in ("number", "percent"):
            # Measures without their storage's trailing zeros (150.0000 -> 150), still no exponent.
            return _plain_number(Decimal(str(value)).normalize())
        return _plain_number(value)
    return neutralise(value)


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    """UTF-8 with a byte-order mark so spreadsheet programs read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell_text(value, table.kind(i)) for i, value in enumerate(row)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def _display_width(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind == "money":
        return len(f"{value:,.2f}") + 4  # the currency
    if kind == "percent":
        return 7
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


def xlsx_response(table: Table, *, filename: str) -> HttpResponse:
    """The table as the first sheet, then each of `table.sheets` (a history sheet) after it."""
    workbook = Workbook()
    _write_sheet(workbook.active, table)
    for extra in table.sheets:
        _write_sheet(workbook.create_sheet(), extra)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def _write_sheet(sheet, table: Table) -> None:
    sheet.title = safe_filename(table.title)[:31]
    money_format = f'#,##0.00 "{settings.CURRENCY}"'
    headers = list(table.headers)
    widths = [len(str(h)) + 2 for h in headers]
    sheet.append([neutralise(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([neutralise(value) for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            kind = table.kind(index)
            widths[index] = max(widths[index], _display_width(cell.value, kind))
            if cell.value is None:
                continue
            if kind == "money":
                cell.number_format = money_format
            elif kind in XLSX_FORMATS:
                cell.number_format = XLSX_FORMATS[kind]
            elif isinstance(cell.value, Decimal | float) and not isinstance(cell.value, bool):
                cell.number_format = MONEY_FORMAT if isinstance(cell.value, Decimal) else "0.00"
            if isinstance(cell.value, str):
                # Keep text as text: openpyxl would otherwise read a leading "=" as a formula.
                cell.data_type = "s"
    last_row, last_column = sheet.max_row, get_column_letter(len(headers))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    summed = [i for i in range(len(headers)) if table.kind(i) in SUMMED]
    if summed and last_row > 1:
        # SUBTOTAL(109, ...) sums the visible rows only, so the total follows the filter.
        totals = sheet.max_row + 1
        sheet.cell(row=totals, column=1, value="Total").font = Font(bold=True)
        for index in summed:
            letter = get_column_letter(index + 1)
            cell = sheet.cell(row=totals, column=index + 1, value=f"=SUBTOTAL(109,{letter}2:{letter}{last_row})")
            cell.font = Font(bold=True)
            cell.number_format = money_format if table.kind(index) == "money" else XLSX_FORMATS["count"]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)


def table_response(table: Table, *, fmt: str, filename: str) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx_response(table, filename=f"{filename}.xlsx")
    return csv_response(table, filename=f"{filename}.csv")


# --- the monthly report as PDF (reportlab: pure Python, no system library) ---------------------


def _or_no_data(value, show=str) -> str:
    return "no data" if value is None else show(value)


def monthly_report_pdf_response(report, *, summary=None) -> HttpResponse:
    """The monthly report as an A4 PDF built with reportlab's platypus, the same sections as the
    page: the executive summary (tiles, what changed), the charts, the figures per value stream,
    then the detail. Every page carries its number and the date of the data. Text goes through
    `escape` because platypus paragraphs read a small markup language."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from portfolio.money import format_amount, format_percent, format_quantity

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    currency = settings.CURRENCY
    as_of = summary.as_of if summary is not None else None
    data_date = f"data as of {as_of:%d %B %Y}" if as_of else "no rollup data for this month"
    story = [
        Paragraph(escape(f"Monthly report · {report.scope} · {report.month:%B %Y}"), styles["Title"]),
        Paragraph(
            escape(
                (f"Quarter {report.quarter.code}" if report.quarter else "No quarter covers this month.")
                + f" · {data_date} · amounts in {currency}"
            ),
            body,
        ),
    ]
    if summary is not None:
        story += _summary_story(summary, report=report, styles=styles, currency=currency)

    def section(title: str, headers: list[str], rows: list[list[str]], empty: str) -> None:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(escape(title), styles["Heading2"]))
        if not rows:
            story.append(Paragraph(escape(empty), body))
            return
        data = [[Paragraph(f"<b>{escape(h)}</b>", body) for h in headers]]
        data += [[Paragraph(escape(str(cell)), body) for cell in row] for row in rows]
        table = PdfTable(data, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)

    section(
        "MMPs delivered",
        ["Released", "MMP", "Epic", "Value stream"],
        [[m.released_on.isoformat(), m.title, m.epic.key, m.epic.value_stream.name] for m in report.mmps_released],
        "No MMP was released this month.",
    )
    section(
        f"Governance flow ({report.quarter.code if report.quarter else 'no quarter'})",
        ["State", "Epics that left it", "Median (days)", "85th percentile (days)"],
        [
            [g.label, g.epics, *(["no data", "no data"] if not g.epics else [g.median_days, g.p85_days])]
            for g in report.governance
        ],
        "No quarter covers this month.",
    )
    section(
        "Epics delivered",
        ["Done on", "Epic", "Value stream"],
        [[e.done_at.date().isoformat(), f"{e.key} {e.title}", e.value_stream.name] for e in report.epics_done],
        "No epic reached done this month.",
    )
    section(
        "Progress against business goals",
        ["Objective", "Key result", "Current / target", "Grade"],
        [
            [
                kr.objective.title,
                kr.title,
                f"{format_quantity(kr.current)} / {format_quantity(kr.target)} {kr.unit}",
                format_percent(kr.grade_value),
            ]
            for kr in report.key_results
        ],
        "No key results for this quarter.",
    )
    section(
        "Spend in the month",
        ["Value stream", f"Amount ({currency})"],
        [[row["value_stream__name"], format_amount(row["amount_cents"])] for row in report.spend_by_stream]
        + ([["Total", format_amount(report.spend_total_cents)]] if report.spend_by_stream else []),
        "No spend recorded for this month.",
    )
    section(
        "What the money bought",
        ["Figure", "Value"],
        [
            ["Money benefit planned this month", format_amount(report.benefit_planned_cents)],
            ["Money benefit realised this month", format_amount(report.benefit_realised_cents)],
        ]
        + [
            [f"No release of user value in {report.no_value_days} days", f"{s['name']} (last {s['last'] or 'never'})"]
            for s in report.no_value_streams
        ]
        + [
            [
                f"Labour spend vs team sprints: {c['name']}",
                f"{format_amount(c['row'].labour_cents)} vs "
                f"{format_amount(c['row'].team_cost_cents) if c['row'].team_cost_cents is not None else 'no sprints'}"
                + (f" (beyond {c['row'].tolerance_pct} %)" if c["row"].flagged else ""),
            ]
            for c in report.cost_rows
        ],
        "",
    )
    section(
        f"Time to value and predictability ({report.quarter.code})" if report.quarter else "Time to value",
        ["Value stream", "Time to value median (days)", "85th (days)", "MMPs planned / delivered", "Predictability"],
        [
            [
                row.value_stream.name,
                _or_no_data(row.figures.get("time_to_value_median_days")),
                _or_no_data(row.figures.get("time_to_value_p85_days")),
                f"{_or_no_data(row.figures.get('planned_mmps'))} / {_or_no_data(row.figures.get('delivered_mmps'))}",
                _or_no_data(row.figures.get("predictability"), format_percent),
            ]
            for row in report.value_rows
        ],
        "No rollup snapshot for this quarter.",
    )
    section(
        "Impediments open at the month's end",
        ["Impediment", "Value stream", "Severity", "Raised", "Escalated"],
        [
            [
                i.title,
                i.value_stream.name,
                i.get_severity_display(),
                i.raised_on.isoformat(),
                "yes" if i.escalated_to_id else "no",
            ]
            for i in report.impediments_open
        ],
        "No impediment open at the month's end.",
    )
    section(
        "Customer feedback",
        ["Received", "Epic", "Source", "Sentiment", "Quote"],
        [
            [f.received_on.isoformat(), f.epic.key, f.source, f.get_sentiment_display(), f.quote]
            for f in report.feedback
        ],
        "No customer feedback recorded in the month.",
    )
    section(
        "Plans for the next releases",
        ["Target quarter", "MMP", "Epic", "Status"],
        [
            [m.target_quarter.code if m.target_quarter else "", m.title, m.epic.key, m.get_status_display()]
            for m in report.next_releases
        ],
        "No MMP is targeted next.",
    )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Monthly report {report.scope} {report.month:%Y-%m}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(15 * mm, 8 * mm, f"VMO monthly report · {report.scope} · {report.month:%B %Y} · {data_date}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    slug = report.value_stream.slug if report.value_stream else "portfolio"
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    return _attachment(response, f"vmo-report-{slug}-{report.month:%Y-%m}.pdf")


def _summary_story(summary, *, report, styles, currency: str) -> list:
    """The PDF's first page: KPI tiles, three sentences, the charts, then one row per stream."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from portfolio.money import chart_amount, format_amount, format_percent, format_quantity
    from vmo.report_charts import bar_chart, line_chart

    body = styles["BodyText"]
    tiles = [
        ("Allocated", f"{format_amount(summary.allocated_cents)} {currency}"),
        ("Spent", f"{format_amount(summary.spent_cents)} {currency}"),
        (
            "Forecast",
            "no data" if summary.forecast_cents is None else f"{format_amount(summary.forecast_cents)} {currency}",
        ),
        ("OKR score", f"{format_percent(summary.okr_score)} {summary.band_label}".strip()),
        ("Delivery", format_percent(summary.delivery_progress)),
        ("DORA level", summary.dora_summary),
    ]
    cells = [Paragraph(f"<font size=8>{escape(name)}</font><br/><b>{escape(value)}</b>", body) for name, value in tiles]
    grid = PdfTable([cells[:3], cells[3:]], colWidths=[60 * mm] * 3)
    grid.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.25, colors.grey),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f5f7fa")),
            ]
        )
    )
    story = [Spacer(1, 3 * mm), Paragraph("Executive summary", styles["Heading2"]), grid, Spacer(1, 3 * mm)]
    story += [Paragraph(escape(sentence), body) for sentence in summary.sentences]
    names = [row.name for row in summary.streams]
    story += [
        Spacer(1, 3 * mm),
        bar_chart(
            title="Allocation, spend and forecast",
            labels=names,
            series={
                "Allocated": [chart_amount(row.allocated_cents) for row in summary.streams],
                "Spent": [chart_amount(row.spent_cents) for row in summary.streams],
                "Forecast": [chart_amount(row.forecast_cents) for row in summary.streams],
            },
            unit=currency,
        ),
        PageBreak(),
        line_chart(
            title="OKR score over the quarter",
            points=[(day, score * 100) for day, score in summary.okr_trend],
            unit="percent",
        ),
        bar_chart(
            title="Flow time and deployments per value stream",
            labels=names,
            series={
                "Flow time, median (days)": [row.flow_time_median_days for row in summary.streams],
                "Deployments per week": [row.deployments_per_week for row in summary.streams],
            },
            unit="days / deployments per week",
        ),
        Paragraph("Per value stream", styles["Heading2"]),
    ]
    headers = ["Value stream", "Allocated", "Spent", "Forecast", "OKR", "Delivery", "Flow time (d)", "DORA"]
    rows = [
        [
            row.name,
            format_amount(row.allocated_cents),
            format_amount(row.spent_cents),
            format_amount(row.forecast_cents),
            format_percent(row.okr_score),
            format_percent(row.delivery_progress),
            format_quantity(row.flow_time_median_days, 1),
            row.dora_label,
        ]
        for row in summary.streams
    ]
    small = styles["BodyText"].clone("small", fontSize=7, leading=9)
    table = PdfTable(
        [[Paragraph(f"<b>{escape(h)}</b>", small) for h in headers]]
        + [[Paragraph(escape(str(cell)), small) for cell in row] for row in rows],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("ALIGN", (1, 1), (-2, -1), "RIGHT"),
            ]
        )
    )
    story += [table, PageBreak()]
    return story
