"""CSV and XLSX downloads of the overview and the lists, with the values users see on the page.

Spreadsheet programs run text that starts with = + - @ (or a tab / carriage return before one)
as a formula: such text cells get a leading apostrophe. Money stays a number (Decimal with two
places) so it can be summed in the sheet; only text is neutralised.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """A rectangular export: a title (the sheet name), headers, and rows of cells."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


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


def _cell_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return neutralise(value)


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    """UTF-8 with a byte-order mark so spreadsheet programs read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell_text(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def xlsx_response(table: Table, *, filename: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_filename(table.title)[:31]
    sheet.append([neutralise(h) for h in table.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([neutralise(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float) and not isinstance(cell.value, bool):
                cell.number_format = MONEY_FORMAT if isinstance(cell.value, Decimal) else "0.00"
            elif isinstance(cell.value, str):
                # Keep text as text: openpyxl would otherwise read a leading "=" as a formula.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def table_response(table: Table, *, fmt: str, filename: str) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx_response(table, filename=f"{filename}.xlsx")
    return csv_response(table, filename=f"{filename}.csv")


# --- the monthly report as PDF (reportlab: pure Python, no system library) ---------------------


def monthly_report_pdf_response(report) -> HttpResponse:
    """The monthly report as an A4 PDF built with reportlab's platypus, the same sections as the
    page. Text goes through `escape` because platypus paragraphs read a small markup language."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from portfolio.money import format_amount, format_percent

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [
        Paragraph(escape(f"Monthly report · {report.scope} · {report.month:%B %Y}"), styles["Title"]),
        Paragraph(
            escape(f"Quarter {report.quarter.code}" if report.quarter else "No quarter covers this month."), body
        ),
    ]

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
                f"{kr.current.normalize()} / {kr.target.normalize()} {kr.unit}",
                format_percent(kr.grade_value),
            ]
            for kr in report.key_results
        ],
        "No key results for this quarter.",
    )
    section(
        "Spend in the month",
        ["Value stream", "Amount"],
        [[row["value_stream__name"], format_amount(row["amount_cents"])] for row in report.spend_by_stream]
        + ([["Total", format_amount(report.spend_total_cents)]] if report.spend_by_stream else []),
        "No spend recorded for this month.",
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
    document.build(story)
    slug = report.value_stream.slug if report.value_stream else "portfolio"
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    return _attachment(response, f"vmo-report-{slug}-{report.month:%Y-%m}.pdf")
