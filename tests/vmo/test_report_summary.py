"""The monthly report's executive summary (tiles, what changed, per stream) and its PDF: the same
structure, charts drawn in it, grouped numbers with the currency, page numbers, the date of the
data, and never a number in scientific notation."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portfolio.models import MMPStatus
from tests.factories import (
    EpicFactory,
    KeyResultFactory,
    MMPFactory,
    SpendFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
)
from vmo.selectors.report_summary import report_summary
from vmo.selectors.reports import monthly_report

pytestmark = pytest.mark.django_db

JULY = dt.date(2026, 7, 1)


@pytest.fixture
def july(quarter):
    """Two streams in 2026-Q3 with snapshots in July (and one in August the report must skip)."""
    alpha = ValueStreamFactory(name="Alpha")
    bravo = ValueStreamFactory(name="Bravo")

    def snap(stream, day, **figures):
        ValueStreamSnapshotFactory(value_stream=stream, quarter=quarter, as_of=day, **figures)

    snap(alpha, dt.date(2026, 7, 10), allocated_cents=1000_00, spent_cents=100_00, okr_score=0.3)
    snap(
        alpha,
        dt.date(2026, 7, 31),
        allocated_cents=1000_00,
        spent_cents=400_00,
        forecast_cents=900_00,
        okr_score=0.5,
        delivery_progress=0.4,
        dora_level="elite",
        flow_time_median_days=3.25,
    )
    snap(alpha, dt.date(2026, 8, 5), allocated_cents=1000_00, spent_cents=999_00, okr_score=0.9)
    snap(
        bravo,
        dt.date(2026, 7, 20),
        allocated_cents=500_00,
        spent_cents=200_00,
        forecast_cents=600_00,
        okr_score=0.7,
        delivery_progress=0.6,
        dora_level="high",
    )
    SpendFactory(value_stream=alpha, month=dt.date(2026, 7, 1), amount_cents=300_00)
    SpendFactory(value_stream=alpha, month=dt.date(2026, 6, 1), amount_cents=500_00)
    epic = EpicFactory(value_stream=alpha)
    MMPFactory(epic=epic, status=MMPStatus.RELEASED, released_on=dt.date(2026, 7, 15))
    MMPFactory(epic=epic, status=MMPStatus.RELEASED, released_on=dt.date(2026, 6, 3))
    MMPFactory(epic=epic, status=MMPStatus.RELEASED, released_on=dt.date(2026, 6, 30))
    return alpha, bravo


def test_summary_reads_each_streams_latest_snapshot_of_the_month(july):
    summary = report_summary(report=monthly_report(month=JULY))

    assert summary.as_of == dt.date(2026, 7, 31)
    assert (summary.allocated_cents, summary.spent_cents, summary.forecast_cents) == (1500_00, 600_00, 1500_00)
    assert summary.okr_score == pytest.approx(0.6)
    assert summary.delivery_progress == pytest.approx(0.5)
    assert summary.dora_levels == [("elite", 1), ("high", 1)]
    assert summary.dora_summary == "1 elite, 1 high"
    assert [(row.name, row.spent_cents) for row in summary.streams] == [("Alpha", 400_00), ("Bravo", 200_00)]
    assert [(day, round(score, 2)) for day, score in summary.okr_trend] == [
        (dt.date(2026, 7, 10), 0.3),
        (dt.date(2026, 7, 20), 0.7),
        (dt.date(2026, 7, 31), 0.5),
    ]


def test_summary_says_what_changed_in_three_sentences(july):
    summary = report_summary(report=monthly_report(month=JULY))

    assert summary.sentences == [
        "Portfolio spent 300.00 in July, less than 500.00 in June; 40% of the 1,500.00 allocated for 2026-Q3 "
        "is spent and the forecast is 1,500.00.",
        "1 MMP released (2 in June) and 0 epics completed; epics in implementation are 50% delivered.",
        "The OKR score rose from 30% on 10 July to 50% (at risk).",
    ]


def test_summary_of_one_stream_and_of_a_month_without_data(july, quarter):
    alpha, _ = july

    one = report_summary(report=monthly_report(month=JULY, value_stream=alpha))
    empty = report_summary(report=monthly_report(month=dt.date(2026, 9, 1), value_stream=ValueStreamFactory()))

    assert (one.allocated_cents, one.spent_cents, one.dora_summary) == (1000_00, 400_00, "1 elite")
    assert empty.as_of is None and empty.okr_score is None and empty.dora_summary == "no data"
    assert empty.sentences[2] == "No OKR score yet: no key result of the quarter has been measured."
    assert report_summary(report=monthly_report(month=dt.date(2030, 1, 1))) is None  # no quarter


@pytest.mark.parametrize("streams", [2, 6])
def test_summary_costs_the_same_queries_for_any_number_of_streams(quarter, streams, django_assert_num_queries):
    for n in range(streams):
        ValueStreamSnapshotFactory(value_stream=ValueStreamFactory(), quarter=quarter, as_of=dt.date(2026, 7, n + 1))
    report = monthly_report(month=JULY)

    with django_assert_num_queries(7):
        report_summary(report=report)


def test_the_page_opens_with_the_summary_then_charts_then_streams(client, executive, july):
    client.force_login(executive)

    body = client.get("/reports/monthly/?month=2026-07").content.decode()

    order = [body.index(marker) for marker in ('id="report-summary"', 'id="report-charts"', 'id="report-streams"')]
    assert order == sorted(order)
    assert body.index('id="report-streams"') < body.index('id="report-mmps"')
    assert "data as of 2026-07-31" in body
    assert '<td class="num">3.3</td>' in body  # flow time 3.25 days, one place


def test_the_pdf_has_the_same_structure_and_no_scientific_notation(client, executive, july, quarter):
    KeyResultFactory(
        objective__quarter=quarter,
        title="Payments per day",
        baseline=Decimal("0"),
        target=Decimal("150.00"),
        current=Decimal("80.00"),
        unit="k",
    )
    client.force_login(executive)

    response = client.get("/reports/monthly.pdf?month=2026-07")

    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert response.status_code == 200
    assert not re.search(r"\d(\.\d+)?[eE][+-]?\d", text), re.findall(r"\S*\d[eE][+-]?\d\S*", text)
    assert "80 / 150 k" in text
    assert "1,500.00 EUR" in text
    assert all(f"Page {n}" in page for n, page in enumerate(pages, start=1))
    assert all("data as of 31 July 2026" in page for page in pages)
    positions = [text.index(s) for s in ("Executive summary", "Per value stream", "MMPs delivered")]
    assert positions == sorted(positions)
    assert "Allocation, spend and forecast" in pages[0]


def test_summary_without_a_forecast_says_there_is_none_yet(quarter):
    # a stream allocated 1,000.00 whose quarter has no month with booked spend yet
    ValueStreamSnapshotFactory(
        value_stream=ValueStreamFactory(), quarter=quarter, as_of=dt.date(2026, 7, 20), allocated_cents=1000_00
    )

    summary = report_summary(report=monthly_report(month=JULY))

    assert summary.forecast_cents is None
    assert summary.sentences[0].endswith(
        "0% of the 1,000.00 allocated for 2026-Q3 is spent and there is no forecast yet"
        " (no month of the quarter has booked spend)."
    )
