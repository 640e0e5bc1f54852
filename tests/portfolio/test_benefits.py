"""Benefit hypotheses and measurements: API, permissions, currency, planned vs realised."""

import datetime as dt

import pytest

from portfolio.models import BenefitHypothesis, BenefitKind, BenefitMeasurement
from portfolio.selectors.benefits import benefit_monthly_series, benefit_sums_by_epic, benefit_sums_by_value_stream
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def epic(value_stream):
    return EpicFactory(key="PAY-1", value_stream=value_stream)


def _money(epic, monthly, start, **extra):
    return BenefitHypothesis.objects.create(
        epic=epic, kind=BenefitKind.MONEY, title="Fees", monthly_amount_cents=monthly, start_month=start, **extra
    )


def _measure(benefit, day, cents):
    return BenefitMeasurement.objects.create(benefit=benefit, measured_on=day, amount_cents=cents)


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 201), ("director", 201), ("other_vsm", 403), ("executive", 403)]
)
def test_who_records_a_benefit(request, api_as, epic, persona, status):
    user = request.getfixturevalue(persona)
    body = {
        "epic": epic.id,
        "kind": "money",
        "title": "Fewer chargebacks",
        "monthly_amount": "1000.00",
        "start_month": "2026-07-01",
    }
    response = api_as(user).post("/api/benefits/", body, format="json")
    assert response.status_code == status, response.content
    assert BenefitHypothesis.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["monthly_amount"] == "1000.00"


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 201), ("director", 201), ("other_vsm", 403), ("program_manager", 403)]
)
def test_who_records_a_measurement(request, api_as, epic, persona, status):
    benefit = _money(epic, 100_000, dt.date(2026, 7, 1))
    user = request.getfixturevalue(persona)
    body = {"benefit": benefit.id, "measured_on": "2026-07-31", "amount": "950.00", "source": "ledger", "note": "July"}
    response = api_as(user).post("/api/benefit-measurements/", body, format="json")
    assert response.status_code == status, response.content
    assert BenefitMeasurement.objects.count() == (1 if status == 201 else 0)


def test_a_benefit_in_another_currency_is_refused(api_as, vsm, epic, settings):
    settings.CURRENCY = "EUR"
    body = {
        "epic": epic.id,
        "kind": "money",
        "title": "Fees",
        "monthly_amount": "10.00",
        "start_month": "2026-07-01",
        "currency": "USD",
    }
    response = api_as(vsm).post("/api/benefits/", body, format="json")
    assert response.status_code == 400
    assert "currency" in response.json()
    assert BenefitHypothesis.objects.count() == 0
    body["currency"] = "eur"
    assert api_as(vsm).post("/api/benefits/", body, format="json").status_code == 201


def test_a_money_benefit_needs_amount_and_start(api_as, vsm, epic):
    response = api_as(vsm).post("/api/benefits/", {"epic": epic.id, "kind": "money", "title": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"monthly_amount", "start_month"}


def test_an_indicator_is_measured_as_a_value(api_as, vsm, epic):
    created = api_as(vsm).post(
        "/api/benefits/",
        {
            "epic": epic.id,
            "kind": "indicator",
            "title": "Sign-ups",
            "unit": "per week",
            "baseline": "10",
            "target": "30",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    bad = api_as(vsm).post(
        "/api/benefit-measurements/",
        {"benefit": created.json()["id"], "measured_on": "2026-07-01", "amount": "5"},
        format="json",
    )
    assert bad.status_code == 400
    good = api_as(vsm).post(
        "/api/benefit-measurements/",
        {"benefit": created.json()["id"], "measured_on": "2026-07-01", "value": "17.5"},
        format="json",
    )
    assert good.status_code == 201
    listed = api_as(vsm).get(f"/api/benefits/{created.json()['id']}/").json()
    assert listed["latest_value"] == "17.5000"


def test_measurements_are_append_only(api_as, director, epic):
    benefit = _money(epic, 100_000, dt.date(2026, 7, 1))
    measurement = _measure(benefit, dt.date(2026, 7, 31), 5_000)
    client = api_as(director)
    assert (
        client.patch(f"/api/benefit-measurements/{measurement.id}/", {"amount": "1.00"}, format="json").status_code
        == 405
    )
    assert client.delete(f"/api/benefit-measurements/{measurement.id}/").status_code == 405
    measurement.refresh_from_db()
    assert measurement.amount_cents == 5_000


def test_planned_and_realised_benefit_per_epic_and_value_stream(epic, value_stream, quarter, other_value_stream):
    """1,000.00 a month from May 2026 and 500.00 a month from September 2026 (same epic).
    As of 2026-08-15: planned to date 4 months x 1,000 = 4,000; over the quarter (July, August
    started) 2 x 1,000 = 2,000. Measured 900 (June), 1,100 (July), 300 (August 20, after as_of)."""
    fees = _money(epic, 100_000, dt.date(2026, 5, 1))
    _money(epic, 50_000, dt.date(2026, 9, 1))
    _measure(fees, dt.date(2026, 6, 30), 90_000)
    _measure(fees, dt.date(2026, 7, 31), 110_000)
    _measure(fees, dt.date(2026, 8, 20), 30_000)
    EpicFactory(value_stream=other_value_stream)
    as_of = dt.date(2026, 8, 15)
    assert benefit_sums_by_epic(epic_ids=[epic.id], as_of=as_of) == {
        epic.id: {"planned_cents": 400_000, "horizon_cents": 36 * 150_000, "realised_cents": 200_000}
    }
    assert benefit_sums_by_value_stream(quarter=quarter, as_of=as_of) == {
        value_stream.id: {
            "planned_cents": 200_000,
            "realised_cents": 110_000,
            "planned_to_date_cents": 400_000,
            "realised_to_date_cents": 200_000,
            "horizon_cents": 36 * 150_000,
        }
    }
    series = benefit_monthly_series(
        value_stream_id=value_stream.id, months=[dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
    )
    assert series == {
        "labels": ["2026-07", "2026-08", "2026-09"],
        "planned": [100_000, 100_000, 150_000],
        "realised": [110_000, 30_000, 0],
    }
