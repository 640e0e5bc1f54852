"""DORA and flow figures by definition (issue 11), against hand-computed tables.

Window edges, time zones, empty data, "no data is not a grade", and the bug cases the issue
lists: elite without incident data, incidents counted before they opened, recovery over the
wrong deployments, monthly deployments graded by quarter length, one deployment on day one.
"""

import datetime as dt

import pytest
from django.test import override_settings

from portfolio.models import Commit, SourceRule
from portfolio.selectors import delivery as sel
from tests.factories import (
    DeploymentFactory,
    IncidentFactory,
    QuarterFactory,
    ValueStreamFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def q3():
    return QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))


def figures(quarter, as_of: dt.date, vs):
    window = sel.window_for(quarter=quarter, as_of=as_of)
    return sel.delivery_figures(window=window, value_stream_ids=[vs.id])[vs.id]


def incident_source(vs):
    SourceRule.objects.create(source="pagerduty", pattern=f"P{vs.id}", value_stream=vs)


# --- no data is not a grade -----------------------------------------------------------------


def test_a_stream_without_incident_source_is_not_graded_on_failure_rate(q3):
    # Deploys every day of July, lead time 1 h: elite on what it has; but nobody reports incidents.
    vs = ValueStreamFactory()
    for day in range(1, 29):
        DeploymentFactory(value_stream=vs, deployed_at=at(7, day, 10), first_commit_at=at(7, day, 9))

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.change_failure_rate is None
    assert f.recovery_time_median_hours is None
    assert f.time_to_restore_median_hours is None
    assert f.dora_no_data == {
        "change_failure_rate": "no incident source connected",
        "recovery_time": "no incident source connected",
        "time_to_restore": "no incident source connected",
    }
    assert f.dora_levels == {"deployment_frequency": "elite", "lead_time": "elite"}
    assert f.dora_metrics_graded == 2
    assert f.dora_level == "elite"  # from 2 of 4 metrics, and it says so


def test_a_connected_incident_source_without_incidents_is_a_zero_failure_rate(q3):
    vs = ValueStreamFactory()
    incident_source(vs)
    for day in range(1, 29):
        DeploymentFactory(value_stream=vs, deployed_at=at(7, day, 10))

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.change_failure_rate == 0.0
    assert f.dora_levels["change_failure_rate"] == "elite"
    assert f.recovery_time_median_hours is None
    assert f.dora_no_data == {
        "lead_time": "no commit times for the deployments in the window",
        "recovery_time": "no failed deployment recovered in the window",
        "time_to_restore": "no incident resolved in the window",
    }


def test_an_incident_recorded_from_any_source_connects_the_stream(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 2))
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 3))
    IncidentFactory(value_stream=vs, opened_at=at(6, 1), resolved_at=at(6, 1, 5))  # last quarter, unlinked

    assert figures(q3, dt.date(2026, 7, 28), vs).change_failure_rate == 0.0


def test_a_stream_that_deployed_before_but_not_in_the_window_grades_low_not_no_data(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, deployed_at=at(6, 10))

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.deployments_per_week == 0.0
    assert f.deployment_days_per_week == 0.0
    assert f.dora_levels == {"deployment_frequency": "low"}
    assert f.dora_no_data["lead_time"] == "no deployments in the window"
    assert f.dora_no_data["change_failure_rate"] == "no incident source connected"


# --- as of D: only events at or before the end of D -------------------------------------------


def test_an_incident_opened_after_the_snapshot_day_does_not_count_and_replay_is_stable(q3):
    vs = ValueStreamFactory()
    incident_source(vs)
    first = DeploymentFactory(value_stream=vs, deployed_at=at(7, 2))
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 9))
    before = figures(q3, dt.date(2026, 7, 15), vs)

    IncidentFactory(value_stream=vs, deployment=first, opened_at=at(7, 20), resolved_at=at(7, 21))
    replayed = figures(q3, dt.date(2026, 7, 15), vs)
    later = figures(q3, dt.date(2026, 7, 28), vs)

    assert before.change_failure_rate == 0.0
    assert replayed == before
    assert later.change_failure_rate == 0.5


def test_recovery_time_is_over_incidents_resolved_in_the_window(q3):
    # D1 on 20 June caused I1, resolved 10 July: 20 days = 480 h, counts (resolved in Q3).
    # D2 on 2 July caused I2, resolved 5 August: after the snapshot day, does not count.
    # D3 on 3 July caused I3, still open: does not count.
    vs = ValueStreamFactory()
    d1 = DeploymentFactory(value_stream=vs, deployed_at=at(6, 20))
    d2 = DeploymentFactory(value_stream=vs, deployed_at=at(7, 2))
    d3 = DeploymentFactory(value_stream=vs, deployed_at=at(7, 3))
    IncidentFactory(value_stream=vs, deployment=d1, opened_at=at(6, 21), resolved_at=at(7, 10))
    IncidentFactory(value_stream=vs, deployment=d2, opened_at=at(7, 2, 1), resolved_at=at(8, 5))
    IncidentFactory(value_stream=vs, deployment=d3, opened_at=at(7, 3, 2), resolved_at=None)

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.recovery_time_median_hours == 480.0
    # Time to restore beside it: I1 opened 21 June, resolved 10 July = 19 days.
    assert f.time_to_restore_median_hours == 456.0
    # Failure rate: D2 and D3 of the window's two deployments caused an incident by 28 July.
    assert f.change_failure_rate == 1.0


def test_window_edges_include_the_first_instant_and_exclude_the_next_day(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 1, 0))  # the quarter's first instant: in
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 28, 23, 59))  # the end of D: in
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 29, 0))  # the next day: out
    DeploymentFactory(value_stream=vs, deployed_at=at(6, 30, 23, 59))  # last quarter: out

    # 1 July to the end of 28 July is exactly four weeks: 2 deployments on 2 days = 0.5/week.
    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.deployments_per_week == 0.5
    assert f.deployment_days_per_week == 0.5


@override_settings(TIME_ZONE="America/Chicago")
def test_an_item_closing_at_2330_at_utc_minus_5_is_in_that_day_and_quarter():
    # 30 September 23:30 CDT (UTC-5) is 1 October 04:30 UTC: in Q3 for a Chicago installation.
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    vs = ValueStreamFactory()
    closing = dt.datetime(2026, 10, 1, 4, 30, tzinfo=UTC)
    WorkItemFactory(
        value_stream=vs, status="done", created_at=at(9, 28), started_at=at(9, 29, 4, 30), finished_at=closing
    )
    DeploymentFactory(value_stream=vs, deployed_at=closing)

    f = figures(quarter, dt.date(2026, 9, 30), vs)

    assert f.flow_velocity == 1
    assert f.flow_time_median_days == 2.0
    assert f.deployments_per_week == round(7 / 92, 4)


def test_in_utc_the_same_item_closes_next_quarter():
    quarter = QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    vs = ValueStreamFactory()
    WorkItemFactory(
        value_stream=vs,
        status="done",
        created_at=at(9, 28),
        started_at=at(9, 29),
        finished_at=dt.datetime(2026, 10, 1, 4, 30, tzinfo=UTC),
    )

    f = figures(quarter, dt.date(2026, 9, 30), vs)

    assert f.flow_velocity == 0
    assert f.flow_load == 1  # still in progress at the end of 30 September


def test_flow_load_is_as_of_the_end_of_the_day(q3):
    vs = ValueStreamFactory()
    # In progress on 15 July: started before, finished (or canceled) after.
    WorkItemFactory(value_stream=vs, status="done", created_at=at(7, 1), started_at=at(7, 2), finished_at=at(7, 20))
    WorkItemFactory(value_stream=vs, status="active", created_at=at(7, 1), started_at=at(7, 10))
    WorkItemFactory(
        value_stream=vs,
        status="canceled",
        created_at=at(7, 1),
        started_at=at(7, 3),
        status_changed_at=at(7, 18),
    )
    # Not in progress on 15 July: started later, finished earlier, never started, canceled earlier.
    WorkItemFactory(value_stream=vs, status="active", created_at=at(7, 1), started_at=at(7, 16))
    WorkItemFactory(value_stream=vs, status="done", created_at=at(7, 1), started_at=at(7, 2), finished_at=at(7, 5))
    WorkItemFactory(value_stream=vs, status="new", created_at=at(7, 1))
    WorkItemFactory(
        value_stream=vs, status="canceled", created_at=at(7, 1), started_at=at(7, 3), status_changed_at=at(7, 6)
    )

    assert figures(q3, dt.date(2026, 7, 15), vs).flow_load == 3


# --- deployment frequency on deployment days ------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30), (dt.date(2026, 7, 15), dt.date(2026, 8, 15), dt.date(2026, 9, 15))),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), (dt.date(2026, 1, 15), dt.date(2026, 2, 15), dt.date(2026, 3, 15))),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30), (dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 6, 29))),
    ],
    ids=["92-day quarter", "90-day quarter", "91-day quarter, uneven"],
)
def test_one_deployment_a_month_grades_medium_whatever_the_quarter_length(start, end, days):
    quarter = QuarterFactory(start=start, end=end)
    vs = ValueStreamFactory()
    for day in days:
        DeploymentFactory(value_stream=vs, deployed_at=dt.datetime.combine(day, dt.time(12), tzinfo=UTC))

    f = figures(quarter, end, vs)

    assert f.dora_levels["deployment_frequency"] == "medium"


def test_one_deployment_on_the_first_day_grades_nothing_special(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 1, 9), first_commit_at=at(7, 1, 8))

    on_day_one = figures(q3, dt.date(2026, 7, 1), vs)
    at_quarter_end = figures(q3, dt.date(2026, 9, 30), vs)

    # Day one: 7 deployments a week by arithmetic, but not one full week to grade on.
    assert on_day_one.deployments_per_week == 7.0
    assert "deployment_frequency" not in on_day_one.dora_levels
    assert on_day_one.dora_no_data["deployment_frequency"] == "less than a full week in the window"
    # Quarter end: median deployment days per week 0, per month (1, 0, 0) -> 0: low (2024).
    assert at_quarter_end.dora_levels["deployment_frequency"] == "low"


@pytest.mark.parametrize(
    ("deploy_days", "level"),
    [
        (range(1, 29), "elite"),  # every day: 7 days a week
        ([d for d in range(1, 29) if dt.date(2026, 7, d).weekday() < 5], "elite"),  # every working day
        ([1, 2, 3, 8, 9, 10, 15, 16, 17, 22, 23, 24], "high"),  # 3 days a week
        ([2, 9, 16, 23], "high"),  # once a week
        ([2, 16], "medium"),  # weeks (1, 0, 1, 0): median 0; the month so far has 2 days
    ],
)
def test_deployment_days_grade_by_the_dora_buckets(q3, deploy_days, level):
    vs = ValueStreamFactory()
    for day in deploy_days:
        DeploymentFactory(value_stream=vs, deployed_at=at(7, day, 10))
        DeploymentFactory(value_stream=vs, deployed_at=at(7, day, 15))  # two a day: still one day

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.dora_levels["deployment_frequency"] == level
    assert f.deployments_per_week == round(2 * len(list(deploy_days)) / 4, 4)
    assert f.deployment_days_per_week == round(len(list(deploy_days)) / 4, 4)


def test_deployment_days_count_local_days(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 2, 23))
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 3, 1))
    with override_settings(TIME_ZONE="Europe/Berlin"):
        # In Berlin (UTC+2) both fall on 3 July: one deployment day. Window 1..28 July local.
        berlin = figures(q3, dt.date(2026, 7, 28), vs)
    utc = figures(q3, dt.date(2026, 7, 28), vs)

    assert berlin.deployment_days_per_week == 0.25
    assert utc.deployment_days_per_week == 0.5


# --- lead time from commits -----------------------------------------------------------------


def test_lead_time_uses_the_earliest_commit_pushed_since_the_previous_production_deployment(q3):
    vs = ValueStreamFactory()
    repo = "acme/payments"
    DeploymentFactory(value_stream=vs, repository=repo, deployed_at=at(7, 5, 12))
    DeploymentFactory(value_stream=vs, repository=repo, deployed_at=at(7, 10, 12))
    DeploymentFactory(value_stream=vs, repository=repo, deployed_at=at(7, 8), environment="staging")
    for sha, authored, pushed in [
        ("a1", at(7, 4, 8), at(7, 4, 9)),  # shipped by the 5 July deployment: 28 h
        ("b1", at(7, 9, 6), at(7, 9, 7)),  # earliest since 5 July: 10 July - 9 July 06:00 = 30 h
        ("b2", at(7, 10, 6), at(7, 10, 7)),
        ("c1", at(7, 11, 6), at(7, 11, 7)),  # after the last deployment: not shipped yet
    ]:
        Commit.objects.create(
            value_stream=vs, source="github", repository=repo, sha=sha, authored_at=authored, pushed_at=pushed
        )
    # A deployment with the tool's own first commit time keeps it.
    DeploymentFactory(value_stream=vs, deployed_at=at(7, 12), first_commit_at=at(7, 11, 22))

    # Lead times 28 h, 30 h, 2 h: median 28.
    assert sel.lead_time_hours(window=sel.window_for(quarter=q3, as_of=dt.date(2026, 7, 28))) == {vs.id: 28.0}


def test_lead_time_without_any_commit_time_is_no_data_with_the_reason(q3):
    vs = ValueStreamFactory()
    DeploymentFactory(value_stream=vs, repository="acme/payments", deployed_at=at(7, 5))

    f = figures(q3, dt.date(2026, 7, 28), vs)

    assert f.lead_time_median_hours is None
    assert f.dora_no_data["lead_time"] == "no commit times for the deployments in the window"
