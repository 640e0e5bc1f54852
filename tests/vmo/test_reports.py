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
