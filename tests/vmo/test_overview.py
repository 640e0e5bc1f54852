"""The executive overview at `/`: latest snapshot per value stream, sorting, totals, then and now,
and action items raised from a row."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.models import RoamStatus
from tests.factories import (
    AllocationFactory,
    PlanningEventFactory,
    QuarterBudgetFactory,
    QuarterFactory,
    RiskFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
)
from vmo.models import ActionItem, PlanningEventStatus
from vmo.selectors.overview import (
    overview_rows,
    parse_sort,
    plan_changes,
    portfolio_figures,
    portfolio_totals,
)

pytestmark = pytest.mark.django_db


def snap(stream, quarter, day, **figures):
    return ValueStreamSnapshotFactory(value_stream=stream, quarter=quarter, as_of=day, **figures)


def test_rows_read_the_latest_snapshot_of_each_stream_in_the_quarter(quarters):
    last, current = quarters
    payments = ValueStreamFactory(name="Payments")
    ValueStreamFactory(name="HR")
    snap(payments, current, dt.date(2026, 7, 10), spent_cents=100, okr_score=0.2)
    snap(payments, current, dt.date(2026, 8, 1), spent_cents=250, okr_score=0.75, dora_level="elite")
    snap(payments, last, dt.date(2026, 6, 30), spent_cents=999)
    RiskFactory(value_stream=payments)
    RiskFactory(value_stream=payments, roam_status=RoamStatus.RESOLVED)

    rows = {row.name: row for row in overview_rows(quarter=current)}

    assert rows["Payments"].spent_cents == 250
    assert rows["Payments"].okr_score == 0.75
    assert rows["Payments"].dora_level == "elite"
    assert rows["Payments"].open_risks == 1
    assert rows["HR"].spent_cents is None  # no rollup yet: a dash, not a zero


def test_totals_add_up_the_latest_snapshots(quarters):
    _, current = quarters
    for spent, allocated in ((100, 1000), (250, 2000)):
        stream = ValueStreamFactory()
        snap(stream, current, dt.date(2026, 7, 1), spent_cents=spent // 2, allocated_cents=allocated)
        snap(stream, current, dt.date(2026, 7, 2), spent_cents=spent, allocated_cents=allocated)

    totals = portfolio_totals(quarter=current)

    assert totals.spent_cents == 350
    assert totals.allocated_cents == 3000
    assert totals.value_streams == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-spent", ("spent", True)), ("okr", ("okr", False)), ("nope", ("name", False)), (None, ("name", False))],
)
def test_sort_keys_come_from_an_allowlist(raw, expected):
    assert parse_sort(raw) == expected


def test_page_sorts_by_spend_descending(client, executive, quarters):
    _, current = quarters
    for name, spent in (("Alpha", 10), ("Bravo", 30), ("Charlie", 20)):
        snap(ValueStreamFactory(name=name), current, dt.date(2026, 7, 5), spent_cents=spent)
    client.force_login(executive)

    response = client.get("/?quarter=2026-Q3&sort=-spent")

    names = [row.name for row in response.context["rows"]]
    assert names == ["Bravo", "Charlie", "Alpha"]


def test_htmx_sort_answers_only_the_table(client, executive, quarters):
    snap(ValueStreamFactory(name="Alpha"), quarters[1], dt.date(2026, 7, 5))
    client.force_login(executive)

    response = client.get("/?quarter=2026-Q3&sort=name", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="overview-table")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="overview-table"' in body
    assert "Alpha" in body


def test_the_overview_runs_the_same_number_of_queries_for_5_and_40_streams(
    client, executive, quarters, django_assert_num_queries
):
    last, current = quarters
    client.force_login(executive)

    def add_streams(n):
        for _ in range(n):
            stream = ValueStreamFactory()
            snap(stream, last, dt.date(2026, 6, 30), spent_cents=5)
            snap(stream, current, dt.date(2026, 7, 3), spent_cents=7)
            RiskFactory(value_stream=stream)

    add_streams(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get("/?quarter=2026-Q3").status_code == 200
    add_streams(35)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/?quarter=2026-Q3").status_code == 200


def test_quarter_against_last_shows_deltas(client, executive, quarters):
    last, current = quarters
    stream = ValueStreamFactory(name="Payments")
    snap(stream, last, dt.date(2026, 6, 30), spent_cents=1000, okr_score=0.5)
    snap(stream, current, dt.date(2026, 7, 30), spent_cents=1500, okr_score=0.7)
    client.force_login(executive)

    rows = {row.name: row for row in client.get("/?quarter=2026-Q3").context["rows"]}

    assert rows["Payments"].prev_spent_cents == 1000
    assert rows["Payments"].delta_spent_cents == 500
    assert rows["Payments"].delta_okr_score == pytest.approx(0.2)


def test_plan_then_and_now_reads_the_closed_planning_event(quarters, value_stream, other_value_stream):
    _, current = quarters
    budget = QuarterBudgetFactory(quarter=current)
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=500_00)
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=300_00)
    PlanningEventFactory(
        quarter=current,
        status=PlanningEventStatus.CLOSED,
        closed_at=timezone.now(),
        plan_snapshot={
            "taken_at": timezone.now().isoformat(),
            "allocations": [
                {"value_stream_id": value_stream.id, "amount_cents": 400_00},
                {"value_stream_id": other_value_stream.id, "amount_cents": 300_00},
            ],
            "epics": [],
            "key_results": [],
        },
    )

    changes = plan_changes(quarter=current)

    assert [(a["name"], a["then_cents"], a["now_cents"]) for a in changes.allocations] == [("Payments", 400_00, 500_00)]


def test_plan_changes_without_a_closed_event_are_empty(quarters):
    changes = plan_changes(quarter=quarters[1])

    assert changes.event is None
    assert changes.allocations == []


@pytest.mark.parametrize("persona", ["executive", "director", "program_manager"])
def test_backlog_keepers_raise_an_action_item_from_a_row(client, request, persona, value_stream, quarters):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.post(
        "/overview/action-items/",
        {"value_stream": value_stream.id, "title": "Review Payments burn", "owner": user.id, "priority": 1},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'id="action-item-done"' in response.content.decode()
    item = ActionItem.objects.get()
    assert (item.title, item.value_stream, item.created_by, item.priority) == (
        "Review Payments burn",
        value_stream,
        user,
        1,
    )


def test_a_vsm_cannot_raise_action_items_and_nothing_is_written(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post("/overview/action-items/", {"value_stream": value_stream.id, "title": "x", "owner": vsm.id})

    assert response.status_code == 403
    assert ActionItem.objects.count() == 0


def test_an_action_item_without_title_shows_the_form_again(client, executive, value_stream):
    client.force_login(executive)

    response = client.post(
        "/overview/action-items/", {"value_stream": value_stream.id, "owner": executive.id}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'id="action-item-form"' in response.content.decode()
    assert ActionItem.objects.count() == 0


def test_trend_is_labelled_by_quarter_code_not_id(quarters):
    last, current = quarters
    payments = ValueStreamFactory(name="Payments")
    snap(payments, last, dt.date(2026, 6, 30), spent_cents=400)
    snap(payments, current, dt.date(2026, 7, 20), spent_cents=150)

    trend = portfolio_figures(quarter=current, previous=None).trend

    assert [(row["quarter"], row["spent_cents"]) for row in trend] == [("2026-Q2", 400), ("2026-Q3", 150)]


def test_stream_rows_read_as_the_template_wrote_them(client, executive, quarters):
    """The three per-stream tables are written in Python (vmo/templatetags/overview_rows.py):
    figures formatted by portfolio.money, names escaped, alarms and the raise-action link kept."""
    last, current = quarters
    stream = ValueStreamFactory(name="R&D <Labs>", slug="rd-labs")
    snap(stream, last, dt.date(2026, 6, 30), spent_cents=100_000, okr_score=0.5, flow_velocity=3)
    detail = {
        "actual_cost_cents": 123_456,
        "return_realised": 1.255,
        "time_to_value_median_days": 3.25,
        "time_to_value_p85_days": 9.0,
        "predictability": 0.396,
        "no_value_alarm": True,
        "cost_flagged_months": ["2026-07", "<b>"],
        "mvps_unevaluated": 2,
    }
    snap(
        stream,
        current,
        dt.date(2026, 7, 30),
        allocated_cents=250_000_000,
        spent_cents=150_050,
        okr_score=0.396,
        flow_velocity=5,
        flow_time_median_days=4.25,
        value_detail=detail,
    )
    client.force_login(executive)

    html = client.get("/?quarter=2026-Q3").content.decode()

    row = html[html.index(f'<tr id="vs-row-{stream.id}"') :].split("</tr>")[0]
    assert '<a href="/value-streams/rd-labs/">R&amp;D &lt;Labs&gt;</a>' in row
    assert '<td class="num">2,500,000.00</td>' in row and '<td class="num">1,500.50</td>' in row
    assert '<td class="num">39% <span class="badge band-off_track">' in row
    assert '<td class="num">4.3</td>' in row  # floatformat rounds half up
    assert f'href="/overview/action-items/?value_stream={stream.id}&quarter=2026-Q3"' in row
    value = html[html.index(f'<tr id="value-row-{stream.id}"') :].split("</tr>")[0]
    assert '<td class="num">no data</td>' in value and '<td class="num">1,234.56</td>' in value
    assert '<td class="num">1.26\u00d7 / —</td>' in value and '<td class="num">3.3 / 9.0</td>' in value
    assert '<td class="num">39%</td>' in value
    assert "No release of user value in 90 days" in value
    assert "Spend strays from team cost: 2026-07, &lt;b&gt;</span>" in value
    assert "2 MVPs not evaluated" in value
    deltas = html[html.index('id="quarter-deltas"') :].split("</tbody>")[0]
    assert (
        '<th scope="row">R&amp;D &lt;Labs&gt;</th>\n        <td class="num">1,500.50</td>\n'
        '        <td class="num">500.50</td>\n        <td class="num">39%</td>\n        <td class="num">-11%</td>'
    ) in deltas


def test_the_pages_figures_in_one_read_are_the_totals_read_apart_and_the_trend(quarters):
    last, current = quarters
    payments, hr = ValueStreamFactory(name="Payments"), ValueStreamFactory(name="HR")
    QuarterFactory(code="2026-Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))  # no snapshots
    snap(payments, last, dt.date(2026, 6, 30), spent_cents=1000, okr_score=0.5, flow_velocity=3)
    snap(payments, current, dt.date(2026, 7, 30), spent_cents=1500, okr_score=0.7, flow_velocity=4)
    snap(hr, current, dt.date(2026, 7, 20), spent_cents=300, okr_score=None, flow_velocity=2)
    RiskFactory(value_stream=hr)

    together = portfolio_figures(quarter=current, previous=last)

    assert together.totals == portfolio_totals(quarter=current)
    assert together.previous_totals == portfolio_totals(quarter=last)
    assert (together.totals.spent_cents, together.totals.value_streams, together.totals.open_risks) == (1800, 2, 1)
    # a quarter without snapshots is a gap in the trend
    assert [point["quarter"] for point in together.trend] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert (together.trend[0]["spent_cents"], together.trend[1]["spent_cents"]) == (None, 1000)
