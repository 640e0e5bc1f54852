"""The drift report: changes of epics, allocations and KR targets between two dates, who and when."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from okrs.models import KeyResult
from portfolio.models import Epic
from tests.factories import (
    EpicFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PlanningEventFactory,
    QuarterBudgetFactory,
)
from vmo.selectors.drift import drift_report

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")
CLOSE = dt.datetime(2026, 7, 2, 10, 0, tzinfo=UTC)


def _date_rows(model, dates):
    rows = model.history.model.objects.order_by("history_id")
    assert rows.count() == len(dates)
    for row, when in zip(rows, dates, strict=True):
        type(row).objects.filter(pk=row.pk).update(history_date=when)


@pytest.fixture
def changes(director, vsm, value_stream, quarter):
    """Before the close: an epic, a 500.00 allocation, a KR targeting 100. After: the epic
    rescored and moved by the VSM, the allocation raised to 600.00, the KR target cut to 80; and
    a save that changed only the description (not drift)."""
    PlanningEventFactory(quarter=quarter, kind="quarterly_planning", status="closed", closed_at=CLOSE)
    epic = EpicFactory(key="DR-1", value_stream=value_stream, business_value=3, job_size=5)
    epic.description = "typo fixed"
    epic.save()
    epic._history_user = vsm
    epic.business_value, epic.state = 8, "reviewing"
    epic.save()
    _date_rows(Epic, [CLOSE - dt.timedelta(days=1), CLOSE + dt.timedelta(hours=1), CLOSE + dt.timedelta(days=3)])
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_00)
    services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=500_00)
    services.allocation_set(user=director, budget=budget, value_stream=value_stream, amount_cents=600_00)
    from funding.models import Allocation

    _date_rows(Allocation, [CLOSE - dt.timedelta(days=1), CLOSE + dt.timedelta(days=2)])
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream, quarter=quarter), target=Decimal(100))
    kr.target = Decimal(80)
    kr.save()
    _date_rows(KeyResult, [CLOSE - dt.timedelta(days=1), CLOSE + dt.timedelta(days=4)])


def test_drift_since_the_last_planning_close(changes, django_assert_num_queries):
    with django_assert_num_queries(4):
        report = drift_report(end=dt.date(2026, 7, 31))

    assert report.start == dt.date(2026, 7, 2)
    assert [(c.label.split()[0], c.who, c.fields) for c in report.epics] == [
        ("DR-1", "val_vsm", {"state": ("funnel", "reviewing"), "business_value": (3, 8)})
    ]
    assert [(c.who, c.fields) for c in report.allocations] == [("dora_director", {"amount": ("500.00", "600.00")})]
    assert [c.fields for c in report.key_results] == [{"target": (Decimal(100), Decimal(80))}]


def test_drift_between_two_given_dates_leaves_out_what_is_outside(changes):
    # after the end of 4 July (the allocation moved on 4 July) to the end of 5 July (the KR on 6 July)
    report = drift_report(start=dt.date(2026, 7, 4), end=dt.date(2026, 7, 5))
    assert ([c.id for c in report.epics], report.allocations, report.key_results) == (
        [Epic.objects.get().pk],
        [],
        [],
    )


def test_the_drift_page_is_linked_from_the_overview_and_says_who(client, executive, changes):
    client.force_login(executive)
    html = client.get(reverse("vmo-drift"), {"from": "2026-07-01", "to": "2026-07-31"}).content.decode()
    assert "val_vsm" in html
    assert "business_value: 3 → 8" in html
    assert "amount: 500.00 → 600.00" in html
    assert client.get(reverse("vmo-drift"), {"from": "2026-07-31", "to": "2026-07-01"}).status_code == 400
    assert client.get(reverse("vmo-drift"), {"from": "July"}).status_code == 400


def test_the_overview_as_of_shows_the_portfolio_then_read_only(client, executive, changes, quarter):
    client.force_login(executive)
    html = client.get(reverse("overview"), {"quarter": quarter.code, "as_of": "2026-07-01"}).content.decode()
    assert "You are looking at 2026-07-01: read-only." in html
    section = html[html.index('id="portfolio-as-of"') :]
    assert "500.00" in section.split("</table>")[0]
    assert "DR-1" in section
    assert "/ 100 " in section  # the KR target then (80 now)
    assert 'id="drift-link"' in client.get(reverse("overview"), {"quarter": quarter.code}).content.decode()
