"""CSV and XLSX exports: the values users see, formula-looking text neutralised, safe names."""

import csv
import io

import openpyxl
import pytest

from tests.factories import (
    AllocationFactory,
    EpicFactory,
    QuarterBudgetFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
)
from vmo.exports import neutralise, safe_filename

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("plain", "plain")],
)
def test_formula_looking_text_is_neutralised(text, expected):
    assert neutralise(text) == expected


def test_filenames_are_sanitised():
    assert safe_filename('a"b/../c\nd.csv') == "a-b-..-c-d.csv"


def test_overview_csv_has_the_rows_users_see(client, executive, quarter):
    stream = ValueStreamFactory(name="=HYPERLINK(evil)")
    ValueStreamSnapshotFactory(value_stream=stream, quarter=quarter, allocated_cents=123456, spent_cents=7890)
    client.force_login(executive)

    response = client.get("/exports/overview.csv?quarter=2026-Q3")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="vmo-overview-2026-Q3.csv"'
    header, row = read_csv(response)
    assert header[:3] == ["Value stream", "Allocated", "Spent"]
    assert row[:3] == ["'=HYPERLINK(evil)", "1234.56", "78.90"]


def test_allocations_xlsx_keeps_money_numeric_and_text_as_text(client, executive, quarter):
    budget = QuarterBudgetFactory(quarter=quarter)
    AllocationFactory(budget=budget, value_stream=ValueStreamFactory(name="+Payments"), amount_cents=250_000_00)
    client.force_login(executive)

    response = client.get("/exports/allocations.xlsx?quarter=2026-Q3")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Quarter", "Value stream", "Amount", "Note"]
    assert values[1][1] == "'+Payments"
    assert float(values[1][2]) == 250000.0


def test_epics_csv_neutralises_titles(client, executive, quarter):
    EpicFactory(title="@import data", estimated_cost_cents=100, target_quarter=quarter)
    client.force_login(executive)

    rows = read_csv(client.get("/exports/epics.csv?quarter=2026-Q3"))

    assert any("'@import data" in row for row in rows[1:])


def test_unknown_export_is_404(client, executive, quarter):
    client.force_login(executive)

    assert client.get("/exports/passwords.csv?quarter=2026-Q3").status_code == 404
    assert client.get("/exports/epics.exe?quarter=2026-Q3").status_code == 404
