"""Issue 18 point 1: the delivery mode decides which figures apply. A project-mode stream is
graded on DORA only when it deploys (at least one production deployment in the window); the
same data in an agile or continuous stream is graded as before."""

import datetime as dt

import pytest

from portfolio import modes
from portfolio.selectors import delivery as sel
from tests.factories import DeploymentFactory, QuarterFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def q3():
    return QuarterFactory(code="2026-Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))


def figures(quarter, as_of, *streams):
    window = sel.window_for(quarter=quarter, as_of=as_of)
    return sel.delivery_figures(window=window, value_stream_ids=[vs.id for vs in streams])


@pytest.mark.parametrize(
    ("mode", "deployments", "graded"),
    [
        ("project", 0, False),
        ("project", 1, True),
        ("agile", 0, True),
        ("continuous", 0, True),
    ],
)
def test_the_rule_grades_dora_unless_a_project_does_not_deploy(mode, deployments, graded):
    assert modes.dora_graded(mode=mode, deployments_in_window=deployments) is graded


def test_the_mode_chooses_the_panels():
    assert modes.FORECAST in modes.mode_rules("project").panels
    assert modes.SPRINTS in modes.mode_rules("agile").panels
    assert modes.SPRINTS not in modes.mode_rules("continuous").panels
    # A product has no end: run-rate trends instead of a finish forecast.
    assert modes.RUN_CHANGE in modes.mode_rules("continuous").panels
    assert modes.FORECAST not in modes.mode_rules("continuous").panels


def test_a_project_stream_without_deployments_in_the_window_is_not_graded(q3):
    # Both deployed once in June (before the window), none in July: the agile stream is graded
    # "low" on deployment frequency (the benchmark's catch-all), the project stream is not graded.
    project = ValueStreamFactory(delivery_mode="project")
    agile = ValueStreamFactory(delivery_mode="agile")
    for vs in (project, agile):
        DeploymentFactory(value_stream=vs, deployed_at=dt.datetime(2026, 6, 10, 10, tzinfo=UTC))

    result = figures(q3, dt.date(2026, 7, 28), project, agile)

    assert result[agile.id].dora_level == "low"
    assert result[agile.id].dora_levels == {"deployment_frequency": "low"}
    assert result[agile.id].dora_not_graded == ""
    assert result[project.id].dora_level == ""
    assert result[project.id].dora_levels == {}
    assert result[project.id].dora_metrics_graded == 0
    assert result[project.id].dora_not_graded == "not graded: project mode, no deployments"
    # The figure itself stays: zero deployments a week is a fact, not a grade.
    assert result[project.id].deployments_per_week == 0.0


def test_a_project_stream_is_graded_once_it_deploys(q3):
    # One deployment on 1 July, first commit an hour before: lead time 1 h, like the agile twin.
    project = ValueStreamFactory(delivery_mode="project")
    agile = ValueStreamFactory(delivery_mode="agile")
    for vs in (project, agile):
        DeploymentFactory(
            value_stream=vs,
            deployed_at=dt.datetime(2026, 7, 1, 10, tzinfo=UTC),
            first_commit_at=dt.datetime(2026, 7, 1, 9, tzinfo=UTC),
        )

    result = figures(q3, dt.date(2026, 7, 28), project, agile)

    assert result[project.id].dora_not_graded == ""
    assert result[project.id].lead_time_median_hours == 1.0
    assert result[project.id].dora_levels == result[agile.id].dora_levels
    assert result[project.id].dora_level == result[agile.id].dora_level
    assert result[project.id].dora_levels["lead_time"] == "elite"
