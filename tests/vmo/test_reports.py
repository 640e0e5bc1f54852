"""The features economy and the monthly report (page and PDF)."""

import datetime as dt

import pytest
from django.utils import timezone

from kanban.models import Transition
from portfolio.models import MMPStatus
from tests.factories import EpicFactory, MMPFactory, SpendFactory, ValueStreamFactory
from vmo.selectors.reports import epic_economy, monthly_report

pytestmark = pytest.mark.django_db


def scored(**kwargs):
    return {"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 1, **kwargs}


def test_economy_puts_low_value_high_cost_epics_in_their_own_quadrant():
    cheap_valuable = EpicFactory(key="A-1", estimated_cost_cents=100, **scored(business_value=20))  # CoD 22
    costly_low = EpicFactory(key="A-2", estimated_cost_cents=10_000, **scored())  # CoD 3
    EpicFactory(key="A-3", estimated_cost_cents=None, **scored())  # no cost: not placed
    EpicFactory(key="A-4", estimated_cost_cents=500, state="done", **scored())  # done: not open

    economy = epic_economy()

    quadrants = {epic.key: epic.quadrant for epic in economy.epics}
    assert set(quadrants) == {"A-1", "A-2"}
    assert quadrants[cheap_valuable.key] != quadrants[costly_low.key]
    assert costly_low.key in {epic.key for epic in economy.low_value_high_cost}


def test_economy_page_renders_the_chart_data(client, executive):
    EpicFactory(key="A-1", estimated_cost_cents=100, **scored())
    client.force_login(executive)

    response = client.get("/overview/economy/")

    assert response.status_code == 200
    assert b"A-1" in response.content


def test_monthly_report_lists_what_was_delivered_in_the_month():
    stream = ValueStreamFactory(name="Payments")
    done = EpicFactory(key="PAY-1", value_stream=stream, state="done")
    Transition.objects.create(
        epic=done, from_state="implementing", to_state="done", at=timezone.make_aware(dt.datetime(2026, 7, 15))
    )
    MMPFactory(epic=done, title="Instant payouts", status=MMPStatus.RELEASED, released_on=dt.date(2026, 7, 20))
    MMPFactory(epic=done, title="Released in June", status=MMPStatus.RELEASED, released_on=dt.date(2026, 6, 30))
    SpendFactory(value_stream=stream, month=dt.date(2026, 7, 1), amount_cents=123_45)

    report = monthly_report(month=dt.date(2026, 7, 1), value_stream=stream)

    assert [mmp.title for mmp in report.mmps_released] == ["Instant payouts"]
    assert [epic.key for epic in report.epics_done] == ["PAY-1"]
    assert report.spend_total_cents == 123_45


def test_monthly_report_page_prints_and_downloads_as_pdf(client, executive):
    client.force_login(executive)

    page = client.get("/reports/monthly/?month=2026-07")
    pdf = client.get("/reports/monthly.pdf?month=2026-07")

    assert page.status_code == 200
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith('attachment; filename="vmo-report-')


def test_economy_values_in_money_where_known_and_wsjf_points_where_not(client, executive):
    """B-1 has a money benefit of 1,000.00 a month (12,000.00 a year), B-2 a cost of delay of
    500.00 a week (26,000.00 a year), B-3 only WSJF scores (CoD 3 points)."""
    from portfolio.models import BenefitHypothesis

    b1 = EpicFactory(key="B-1", estimated_cost_cents=5_000_00, **scored())
    BenefitHypothesis.objects.create(
        epic=b1, kind="money", title="Fees", monthly_amount_cents=1_000_00, start_month=dt.date(2026, 7, 1)
    )
    EpicFactory(key="B-2", estimated_cost_cents=9_000_00, cost_of_delay_per_week_cents=500_00)
    EpicFactory(key="B-3", estimated_cost_cents=1_000_00, **scored())

    economy = epic_economy()

    rows = {e.key: (e.value_basis, e.money_value_cents) for e in economy.epics}
    assert rows == {"B-1": ("benefit", 12_000_00), "B-2": ("cd3", 26_000_00), "B-3": ("wsjf", None)}
    assert (economy.money_split_cents, economy.value_split, economy.money_valued) == (19_000_00, 3.0, 2)
    client.force_login(executive)
    page = client.get("/overview/economy/").content.decode()
    assert '"basis": "wsjf"' in page
    assert "2 of 3 plotted epics have a money value" in page


def test_monthly_report_shows_time_to_value_and_predictability_per_value_stream(client, executive, quarter):
    """Payments' snapshot of 2026-Q3 has time to value 15.0 / 18.5 days and 3 of 4 MMPs
    delivered with predictability 0.875; Onboarding has a snapshot without figures (no data)."""
    import io

    from pypdf import PdfReader

    from tests.factories import ValueStreamSnapshotFactory

    payments, onboarding = ValueStreamFactory(name="Payments"), ValueStreamFactory(name="Onboarding")
    detail = {
        "time_to_value_median_days": 15.0,
        "time_to_value_p85_days": 18.5,
        "planned_mmps": 4,
        "delivered_mmps": 3,
        "predictability": 0.875,
    }
    ValueStreamSnapshotFactory(value_stream=payments, quarter=quarter, as_of=dt.date(2026, 7, 30), value_detail={})
    ValueStreamSnapshotFactory(value_stream=payments, quarter=quarter, as_of=dt.date(2026, 7, 31), value_detail=detail)
    ValueStreamSnapshotFactory(value_stream=onboarding, quarter=quarter, as_of=dt.date(2026, 7, 31), value_detail={})
    client.force_login(executive)

    page = client.get("/reports/monthly/?month=2026-07").content.decode()
    scoped = client.get(f"/reports/monthly/?month=2026-07&value_stream={onboarding.slug}").content.decode()
    pdf = client.get("/reports/monthly.pdf?month=2026-07")

    assert (
        '<tr><th scope="row">Payments</th><td class="num">15.0</td><td class="num">18.5</td>'
        '<td class="num">4</td><td class="num">3</td><td class="num">87%</td></tr>'
    ) in page
    no_data = '<td class="num">no data</td>'
    assert f'<tr><th scope="row">Onboarding</th>{no_data * 5}</tr>' in page
    assert '<th scope="row">Payments</th>' not in scoped.split('id="report-flow-value"')[1]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Time to value and predictability (2026-Q3)" in text
    assert "87%" in text
    assert "4 / 3" in text


def test_monthly_report_pdf_of_a_quarter_without_value_streams_says_no_data(client, executive, quarter):
    # reportlab raised IndexError on a bar chart of empty series: the PDF answered 500.
    client.force_login(executive)

    pdf = client.get("/reports/monthly.pdf?month=2026-07")

    assert (pdf.status_code, pdf.content[:4]) == (200, b"%PDF")
