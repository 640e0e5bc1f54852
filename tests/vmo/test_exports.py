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


def test_value_csv_has_the_value_figures_and_blanks_for_no_data(client, executive, quarter):
    payments = ValueStreamFactory(name="Payments")
    ValueStreamFactory(name="Quiet")
    detail = {
        "benefit_planned_cents": 300_000,
        "benefit_realised_cents": 250_000,
        "actual_cost_cents": 1_000_000,
        "return_realised": 0.25,
        "no_value_alarm": False,
        "cost_flagged_months": ["2026-08-01"],
    }
    ValueStreamSnapshotFactory(value_stream=payments, quarter=quarter, value_detail=detail)
    client.force_login(executive)

    rows = read_csv(client.get("/exports/value.csv?quarter=2026-Q3"))

    header = rows[0]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["Payments"]["Benefit planned (quarter)"] == "3000.00"
    assert by_name["Payments"]["Actual cost to date"] == "10000.00"
    assert by_name["Payments"]["Return realised"] == "0.25"
    assert by_name["Payments"]["Spend beyond team cost (months)"] == "2026-08-01"
    assert by_name["Payments"]["Time to value median (days)"] == ""
    assert by_name["Quiet"]["Benefit planned (quarter)"] == ""


def test_overview_xlsx_is_typed_frozen_filtered_sized_and_totalled(client, executive, quarter):
    for name, spent, okr in (("Alpha", 100_00, 0.4333), ("Bravo", 250_50, None)):
        ValueStreamSnapshotFactory(
            value_stream=ValueStreamFactory(name=name),
            quarter=quarter,
            allocated_cents=1_000_000_00,
            spent_cents=spent,
            okr_score=okr,
            flow_velocity=3,
            flow_time_median_days=32.66,
        )
    client.force_login(executive)

    response = client.get("/exports/overview.xlsx?quarter=2026-Q3")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, alpha, bravo, total = (list(row) for row in sheet.iter_rows())
    assert [c.value for c in header[:5]] == ["Value stream", "Allocated", "Spent", "Forecast", "OKR score"]
    assert alpha[1].value == 1_000_000 and alpha[1].number_format == '#,##0.00 "EUR"'
    assert alpha[4].value == pytest.approx(0.4333) and alpha[4].number_format == "0.0%"
    assert bravo[4].value is None
    assert alpha[7].value == 3 and alpha[8].value == pytest.approx(32.7)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K3"
    assert sheet.column_dimensions["A"].width == 16  # "Value stream" (12) + 2 for the bold header, + 2 padding
    assert sheet.column_dimensions["B"].width == 18  # "1,000,000.00" (12) + 4 for the currency, + 2 padding
    assert total[0].value == "Total"
    assert total[2].value == "=SUBTOTAL(109,C2:C3)"
    assert total[7].value == "=SUBTOTAL(109,H2:H3)"
    assert total[4].value is None  # a mean of percentages is not a sum


def test_csv_numbers_are_plain_and_percentages_are_ratios(client, executive, quarter):
    ValueStreamSnapshotFactory(
        value_stream=ValueStreamFactory(name="Alpha"),
        quarter=quarter,
        spent_cents=7890,
        okr_score=0.00001,
        flow_time_median_days=32.66,
    )
    client.force_login(executive)

    header, row = read_csv(client.get("/exports/overview.csv?quarter=2026-Q3"))

    assert dict(zip(header, row, strict=True))["OKR score"] == "0.00001"  # never 1e-05
    assert dict(zip(header, row, strict=True))["Flow time (days, median)"] == "32.7"
    assert dict(zip(header, row, strict=True))["Spent"] == "78.90"


def test_spend_and_okr_exports_type_months_and_measures(client, executive, quarter):
    import datetime as dt
    from decimal import Decimal

    from tests.factories import KeyResultFactory, SpendFactory

    SpendFactory(value_stream=ValueStreamFactory(name="Alpha"), month=dt.date(2026, 7, 1), amount_cents=123_45)
    KeyResultFactory(objective__quarter=quarter, baseline=Decimal("0"), target=Decimal("150.00"), current=Decimal("60"))
    client.force_login(executive)

    spend = openpyxl.load_workbook(io.BytesIO(client.get("/exports/spend.xlsx?quarter=2026-Q3").content)).active
    okrs = openpyxl.load_workbook(io.BytesIO(client.get("/exports/okrs.xlsx?quarter=2026-Q3").content)).active
    spend_csv = read_csv(client.get("/exports/spend.csv?quarter=2026-Q3"))
    okrs_csv = read_csv(client.get("/exports/okrs.csv?quarter=2026-Q3"))

    assert spend["A2"].value == dt.datetime(2026, 7, 1) and spend["A2"].number_format == "yyyy-mm"
    assert spend["E3"].value == "=SUBTOTAL(109,E2:E2)"
    assert spend_csv[1][0] == "2026-07"
    assert okrs["G2"].value == 150 and okrs["K2"].value == pytest.approx(0.4)
    assert okrs["K2"].number_format == "0.0%"
    assert (okrs_csv[1][6], okrs_csv[1][10]) == ("150", "0.4")
