"""Delivery progress, flow and DORA metrics against hand-computed figures."""

import datetime as dt

import pytest
from django.test import override_settings

from portfolio.selectors import delivery as sel
from tests.factories import (
    DeploymentFactory,
    EpicFactory,
    IncidentFactory,
    MMPFactory,
    ValueStreamFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(day: int, hour: int = 0, month: int = 7) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def window(quarter):
    # 1 July to the end of 28 July: exactly four weeks.
    return sel.window_for(quarter=quarter, as_of=dt.date(2026, 7, 28))


def done_item(vs, *, start_day, end_day, item_type="feature", **extra):
    return WorkItemFactory(
        value_stream=vs,
        status="done",
        item_type=item_type,
        created_at=at(1),
        started_at=at(start_day),
        finished_at=at(end_day),
        **extra,
    )


def test_window_is_the_quarter_to_date(window):
    assert window.start == at(1)
    assert window.end == at(29)
    assert window.weeks == 4.0


def test_flow_velocity_counts_items_done_in_the_window_only(window):
    vs = ValueStreamFactory()
    done_item(vs, start_day=2, end_day=3)
    done_item(vs, start_day=2, end_day=28)
    WorkItemFactory(value_stream=vs, status="done", created_at=at(1, month=6), finished_at=at(30, month=6))
    WorkItemFactory(value_stream=vs, status="active", created_at=at(1), started_at=at(2))

    assert sel.flow_velocity(window=window) == {vs.id: 2}


def test_flow_time_median_and_p85_interpolate_like_percentile_cont(window):
    # Flow times 1, 2, 4 and 10 days. Median = (2 + 4) / 2 = 3.
    # p85: position 1 + 0.85 * 3 = 3.55 -> 4 + 0.55 * (10 - 4) = 7.3.
    vs = ValueStreamFactory()
    for start, end in ((2, 3), (2, 4), (2, 6), (2, 12)):
        done_item(vs, start_day=start, end_day=end)

    assert sel.flow_time_days(window=window) == {vs.id: pytest.approx((3.0, 7.3))}


def test_flow_time_of_a_single_item_is_that_item(window):
    vs = ValueStreamFactory()
    done_item(vs, start_day=5, end_day=7)

    assert sel.flow_time_days(window=window) == {vs.id: (2.0, 2.0)}


def test_flow_time_starts_at_creation_when_the_tool_never_reported_a_start(window):
    vs = ValueStreamFactory()
    WorkItemFactory(value_stream=vs, status="done", created_at=at(1, 12), started_at=None, finished_at=at(2))

    assert sel.flow_time_days(window=window) == {vs.id: (0.5, 0.5)}


def test_flow_time_odd_count_median_is_the_middle_item(window):
    vs = ValueStreamFactory()
    for end in (3, 4, 9):
        done_item(vs, start_day=2, end_day=end)
    # Times 1, 2, 7. Median 2; p85 at 1 + 0.85 * 2 = 2.7 -> 2 + 0.7 * 5 = 5.5.

    assert sel.flow_time_days(window=window) == {vs.id: pytest.approx((2.0, 5.5))}


def test_flow_load_counts_active_and_waiting_now(window):
    vs = ValueStreamFactory()
    for status in ("new", "active", "active", "waiting", "done", "canceled"):
        WorkItemFactory(value_stream=vs, status=status, created_at=at(1))

    assert sel.flow_load() == {vs.id: 3}


def test_flow_efficiency_is_active_over_active_plus_waiting(window):
    vs = ValueStreamFactory()
    done_item(vs, start_day=2, end_day=3, active_seconds=3600, waiting_seconds=3600)
    done_item(vs, start_day=2, end_day=3, active_seconds=7200, waiting_seconds=0)
    done_item(vs, start_day=2, end_day=3)  # reports no states: left out
    silent = ValueStreamFactory()
    done_item(silent, start_day=2, end_day=3)

    # (3600 + 7200) / (3600 + 7200 + 3600) = 0.75
    assert sel.flow_efficiency(window=window) == {vs.id: 0.75}


def test_flow_distribution_is_the_share_of_each_type_among_done_items(window):
    vs = ValueStreamFactory()
    for item_type in ("feature", "feature", "defect", "debt"):
        done_item(vs, start_day=2, end_day=3, item_type=item_type)
    WorkItemFactory(value_stream=vs, status="active", item_type="risk", created_at=at(1))

    assert sel.flow_distribution(window=window) == {vs.id: {"feature": 0.5, "defect": 0.25, "risk": 0.0, "debt": 0.25}}


def test_delivery_progress_is_size_weighted_and_unsized_items_count_one():
    vs = ValueStreamFactory()
    epic = EpicFactory(value_stream=vs, state="implementing")
    mmp = MMPFactory(epic=epic)
    WorkItemFactory(value_stream=vs, epic=epic, mmp=mmp, size=5, status="done")
    WorkItemFactory(value_stream=vs, epic=epic, mmp=mmp, size=3, status="active")
    WorkItemFactory(value_stream=vs, epic=epic, size=None, status="done")
    WorkItemFactory(value_stream=vs, epic=epic, size=8, status="canceled")  # does not count
    small = EpicFactory(value_stream=vs, state="implementing")
    WorkItemFactory(value_stream=vs, epic=small, size=1, status="new")
    done_epic = EpicFactory(value_stream=vs, state="done")  # not in implementation: left out
    WorkItemFactory(value_stream=vs, epic=done_epic, size=100, status="new")

    # Epic: done 5 + 1 of 5 + 3 + 1 = 6/9. Stream: (6 + 0) / (9 + 1) = 0.6.
    assert sel.delivery_progress_by_value_stream() == {vs.id: 0.6}
    epics = {e.id: (e.size_done, e.size_total) for e in sel.epics_with_progress(value_stream_id=vs.id)}
    assert epics == {epic.id: (6, 9), small.id: (1 - 1, 1), done_epic.id: (0, 100)}
    mmps = {m.id: (m.size_done, m.size_total) for m in sel.mmps_with_progress(value_stream_id=vs.id)}
    assert mmps == {mmp.id: (5, 8)}


def test_deployment_frequency_counts_successful_production_deploys_per_week(window):
    vs = ValueStreamFactory()
    for day in range(1, 9):
        DeploymentFactory(value_stream=vs, deployed_at=at(day, 10))
    DeploymentFactory(value_stream=vs, deployed_at=at(3), environment="staging")
    DeploymentFactory(value_stream=vs, deployed_at=at(3), succeeded=False)

    assert sel.deployment_frequency(window=window) == {vs.id: 2.0}


def test_lead_time_is_the_median_from_first_commit_to_deploy(window):
    vs = ValueStreamFactory()
    for hours in (2, 4, 30):
        DeploymentFactory(value_stream=vs, first_commit_at=at(5), deployed_at=at(5) + dt.timedelta(hours=hours))
    DeploymentFactory(value_stream=vs, first_commit_at=None, deployed_at=at(6))

    assert sel.lead_time_hours(window=window) == {vs.id: 4.0}


def test_change_failure_rate_counts_a_deployment_once_however_many_incidents(window):
    vs = ValueStreamFactory()
    deploys = [DeploymentFactory(value_stream=vs, deployed_at=at(day)) for day in range(2, 6)]
    for _ in range(3):
        IncidentFactory(value_stream=vs, deployment=deploys[0], opened_at=at(2, 1))
    IncidentFactory(value_stream=vs, opened_at=at(3))  # not caused by a deployment

    assert sel.change_failure_rate(window=window) == {vs.id: 0.25}


def test_recovery_time_is_the_median_from_deployment_to_resolution(window):
    vs = ValueStreamFactory()
    deploy = DeploymentFactory(value_stream=vs, deployed_at=at(2))
    other = DeploymentFactory(value_stream=vs, deployed_at=at(3))
    IncidentFactory(value_stream=vs, deployment=deploy, opened_at=at(2, 1), resolved_at=at(2, 3))
    IncidentFactory(value_stream=vs, deployment=other, opened_at=at(3, 1), resolved_at=at(3, 7))
    IncidentFactory(value_stream=vs, deployment=other, opened_at=at(3, 1), resolved_at=None)

    assert sel.recovery_time_hours(window=window) == {vs.id: 5.0}


def test_fan_out_trap_many_deployments_and_many_work_items_in_one_stream(window):
    vs = ValueStreamFactory()
    epic = EpicFactory(value_stream=vs, state="implementing")
    for i in range(6):
        done_item(vs, start_day=2, end_day=4, epic=epic, size=2, item_type="defect" if i < 3 else "feature")
    for _ in range(4):
        WorkItemFactory(value_stream=vs, epic=epic, size=2, status="active", created_at=at(1))
    deploys = [
        DeploymentFactory(value_stream=vs, deployed_at=at(d), first_commit_at=at(d) - dt.timedelta(hours=d))
        for d in range(2, 10)
    ]
    for deploy in deploys[:2]:
        for _ in range(5):
            IncidentFactory(
                value_stream=vs,
                deployment=deploy,
                opened_at=deploy.deployed_at,
                resolved_at=deploy.deployed_at + dt.timedelta(hours=2),
            )

    figures = sel.delivery_figures(window=window, value_stream_ids=[vs.id])[vs.id]

    assert figures.flow_velocity == 6
    assert figures.flow_load == 4
    assert figures.flow_time_median_days == 2.0
    assert figures.delivery_progress == 0.6
    assert figures.flow_distribution == {"feature": 0.5, "defect": 0.5, "risk": 0.0, "debt": 0.0}
    assert figures.deployments_per_week == 2.0
    assert figures.lead_time_median_hours == 5.5  # hours 2..9, median (5 + 6) / 2
    assert figures.change_failure_rate == 0.25
    assert figures.recovery_time_median_hours == 2.0


def test_an_empty_value_stream_has_no_figures_rather_than_zeros(window):
    empty = ValueStreamFactory()

    figures = sel.delivery_figures(window=window, value_stream_ids=[empty.id])[empty.id]

    assert figures == sel.DeliveryFigures(
        dora_no_data={
            "deployment_frequency": "no production deployment recorded",
            "lead_time": "no deployments in the window",
            "change_failure_rate": "no incident source connected",
            "recovery_time": "no incident source connected",
            "time_to_restore": "no incident source connected",
        }
    )
    assert figures.dora_level == ""
    assert figures.dora_metrics_graded == 0
    assert figures.flow_time_median_days is None


def days(median_week: int, *, median_month: int = 4, in_window: int = 40) -> sel.DeploymentDays:
    """Deployment days of a stream over a 13-week window with the given weekly median."""
    return sel.DeploymentDays(
        deployments=in_window, days=in_window, weeks=(median_week,) * 13, months=(median_month,) * 3
    )


def dora(days_, lead, cfr, recovery):
    return sel.DoraFigures(
        lead_time_median_hours=lead, change_failure_rate=cfr, recovery_time_median_hours=recovery, days=days_
    )


@pytest.mark.parametrize(
    ("vintage", "figures", "level"),
    [
        ("2024", dora(days(5), 2.0, 0.04, 0.5), "elite"),
        ("2024", dora(days(5), 2.0, 0.15, 0.5), "high"),  # CFR 15% is high in 2024
        ("2024", dora(days(2), 100.0, 0.08, 5.0), "high"),
        ("2024", dora(days(0, median_month=2), 300.0, 0.08, 5.0), "medium"),
        ("2024", dora(days(0, median_month=0, in_window=1), 2.0, 0.0, 0.5), "low"),
        ("2023", dora(days(5), 2.0, 0.15, 0.5), "medium"),  # CFR 15% is medium in 2023
        ("2023", dora(days(5), 2.0, 0.16, 0.5), "low"),
        ("2021", dora(days(5), 0.5, 0.15, 0.5), "elite"),
        ("2021", dora(days(5), 2.0, 0.15, 0.5), "high"),  # lead time elite needs < 1 hour
        ("2021", dora(days(0, median_month=1), 0.5, 0.15, 0.5), "high"),  # 2021: monthly is high
        ("2021", dora(days(0, median_month=0, in_window=1), 0.5, 0.15, 0.5), "medium"),  # once in six months
        ("2024", dora(days(5), None, None, None), "elite"),  # metrics without data are left out
        ("2024", dora(None, 2.0, None, None), "elite"),  # no deployments: not a grade either
        ("2024", dora(None, None, None, None), ""),
    ],
)
def test_dora_level_is_the_worst_level_of_the_metrics_with_data(vintage, figures, level):
    assert sel.dora_level(figures, sel.dora_benchmark(vintage=vintage)) == level


def test_dora_benchmark_vintage_comes_from_settings():
    with override_settings(DORA_BENCHMARK="2021"):
        rows = sel.dora_benchmark()

    assert [(row.vintage, row.level) for row in rows] == [
        ("2021", "elite"),
        ("2021", "high"),
        ("2021", "medium"),
        ("2021", "low"),
    ]


def test_delivery_figures_query_count_does_not_grow_with_streams(window, django_assert_num_queries):
    streams = [ValueStreamFactory() for _ in range(2)]
    for vs in streams:
        done_item(vs, start_day=2, end_day=3)
    with django_assert_num_queries(13):
        sel.delivery_figures(window=window, value_stream_ids=[vs.id for vs in streams])
    more = [ValueStreamFactory() for _ in range(20)]
    for vs in more:
        done_item(vs, start_day=2, end_day=3)
        DeploymentFactory(value_stream=vs, deployed_at=at(3))
    with django_assert_num_queries(13):
        sel.delivery_figures(window=window, value_stream_ids=[vs.id for vs in streams + more])
