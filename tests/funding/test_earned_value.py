"""Earned value of a hand-computed project at two dates (portfolio/metrics.py, group Project).

The project: BAC 100,000.00; milestones M1 (weight 1, baseline 15 Jul, done 20 Jul), M2 (weight
2, baseline 15 Aug, done 10 Sep), M3 (weight 1, baseline 15 Sep, open), M4 (weight 1, baseline
15 Oct, open): total weight 5. Actual cost: tagged spend 15,000.00 (July), 10,000.00 (August),
20,000.00 (September), a voided 99,000.00 (August, ignored); one team sprint of 9,000.00 ending
14 Aug whose done work is size 2 of this epic and size 1 of another: a share of 6,000.00.

On 31 Aug: PV = 100,000 x 3/5 = 60,000.00; EV = 100,000 x 1/5 = 20,000.00; AC = 15,000 +
10,000 + 6,000 = 31,000.00; SPI = 20/60 = 0.3333; CPI = 20/31 = 0.6452; EAC = 100,000 x 31/20
= 155,000.00; red.
On 30 Sep: PV = 100,000 x 4/5 = 80,000.00; EV = 100,000 x 3/5 = 60,000.00; AC = 51,000.00;
SPI = 0.7500; CPI = 60/51 = 1.1765; EAC = 100,000 x 51/60 = 85,000.00; red (SPI).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.selectors.earned_value import epic_earned_value, rag_status
from portfolio.models import EarnedValueMethod, WorkItemStatus
from tests.factories import EpicFactory, SpendFactory, TeamFactory, TeamSprintFactory, WorkItemFactory
from tests.factories_project import MilestoneFactory, ProjectPhaseFactory, ProjectPlanFactory

A = dt.date(2026, 8, 31)
B = dt.date(2026, 9, 30)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def project(db):
    plan = ProjectPlanFactory(baseline_budget_cents=100_000_00)
    epic = plan.epic
    stream = epic.value_stream
    MilestoneFactory(
        epic=epic, name="M1", weight=1, baseline_date=dt.date(2026, 7, 15), completed_on=dt.date(2026, 7, 20)
    )
    MilestoneFactory(
        epic=epic, name="M2", weight=2, baseline_date=dt.date(2026, 8, 15), completed_on=dt.date(2026, 9, 10)
    )
    MilestoneFactory(epic=epic, name="M3", weight=1, baseline_date=dt.date(2026, 9, 15))
    MilestoneFactory(
        epic=epic, name="M4", weight=1, baseline_date=dt.date(2026, 10, 15), forecast_date=dt.date(2026, 11, 2)
    )
    for month, amount in ((7, 15_000_00), (8, 10_000_00), (9, 20_000_00)):
        SpendFactory(value_stream=stream, epic=epic, month=dt.date(2026, month, 1), amount_cents=amount)
    SpendFactory(value_stream=stream, epic=epic, month=dt.date(2026, 8, 1), amount_cents=99_000_00, voided_at=_at(A))
    other = EpicFactory(value_stream=stream)
    done = {"status": WorkItemStatus.DONE, "finished_at": _at(dt.date(2026, 8, 10)), "value_stream": stream}
    items = [WorkItemFactory(epic=epic, size=2, **done), WorkItemFactory(epic=other, size=1, **done)]
    TeamSprintFactory(
        team=TeamFactory(value_stream=stream),
        start=dt.date(2026, 8, 1),
        end=dt.date(2026, 8, 14),
        cost_cents=9_000_00,
        items=items,
    )
    return plan


def test_earned_value_on_31_august(project, django_assert_num_queries):
    with django_assert_num_queries(4):  # plan, milestones, phases, actual cost
        ev = epic_earned_value(epic_id=project.epic_id, as_of=A)

    assert (ev.bac_cents, ev.pv_cents, ev.ev_cents, ev.ac_cents) == (100_000_00, 60_000_00, 20_000_00, 31_000_00)
    assert (ev.spi, ev.cpi) == (Decimal("0.3333"), Decimal("0.6452"))
    assert ev.eac_cents == 155_000_00
    assert ev.rag == "red"


def test_earned_value_on_30_september(project):
    ev = epic_earned_value(epic_id=project.epic_id, as_of=B)

    assert (ev.pv_cents, ev.ev_cents, ev.ac_cents) == (80_000_00, 60_000_00, 51_000_00)
    assert (ev.spi, ev.cpi) == (Decimal("0.7500"), Decimal("1.1765"))
    assert ev.eac_cents == 85_000_00
    assert ev.rag == "red"
    assert (ev.baseline_finish, ev.forecast_finish, ev.slip_days) == (dt.date(2026, 10, 15), dt.date(2026, 11, 2), 18)


def test_earned_value_by_percent_complete_counts_done_size_by_the_day(project):
    # Sizes 3 (done 10 Aug), 2 (done 5 Sep), 5 (active), 4 canceled (left out): 10 in all; the
    # size 2 item of the sprint above is this epic's too, done 10 Aug: 12 in all.
    project.ev_method = EarnedValueMethod.PERCENT_COMPLETE
    project.save()
    stream = project.epic.value_stream
    WorkItemFactory(
        epic=project.epic, value_stream=stream, size=3, status="done", finished_at=_at(dt.date(2026, 8, 10))
    )
    WorkItemFactory(epic=project.epic, value_stream=stream, size=2, status="done", finished_at=_at(dt.date(2026, 9, 5)))
    WorkItemFactory(epic=project.epic, value_stream=stream, size=5, status="active")
    WorkItemFactory(epic=project.epic, value_stream=stream, size=4, status="canceled")

    at_a = epic_earned_value(epic_id=project.epic_id, as_of=A)
    at_b = epic_earned_value(epic_id=project.epic_id, as_of=B)

    # 31 Aug: (2 + 3) / 12 of 100,000.00 = 41,666.666.. -> 41,666.66 (down to the cent).
    assert at_a.ev_cents == 41_666_66
    # 30 Sep: (2 + 3 + 2) / 12 = 58,333.33.
    assert at_b.ev_cents == 58_333_33
    assert at_a.pv_cents == 60_000_00  # PV is the baseline's, whatever the EV method


def test_without_milestones_or_spend_the_figures_are_no_data(db):
    plan = ProjectPlanFactory(baseline_budget_cents=50_000_00)

    ev = epic_earned_value(epic_id=plan.epic_id, as_of=A)

    assert (ev.pv_cents, ev.ev_cents, ev.ac_cents, ev.spi, ev.cpi, ev.eac_cents, ev.rag) == (
        None,
        None,
        0,
        None,
        None,
        None,
        None,
    )


def test_an_epic_without_a_plan_has_no_earned_value(db):
    assert epic_earned_value(epic_id=EpicFactory().id, as_of=A) is None


def test_phases_set_the_finish_dates_when_they_end_last(project):
    ProjectPhaseFactory(
        epic=project.epic,
        baseline_start=dt.date(2026, 9, 1),
        baseline_end=dt.date(2026, 10, 31),
        forecast_start=dt.date(2026, 9, 1),
        forecast_end=dt.date(2026, 11, 30),
    )

    ev = epic_earned_value(epic_id=project.epic_id, as_of=B)

    assert (ev.baseline_finish, ev.forecast_finish, ev.slip_days) == (dt.date(2026, 10, 31), dt.date(2026, 11, 30), 30)


@pytest.mark.parametrize(
    ("spi", "cpi", "rag"),
    [
        ("0.95", "1.20", "green"),
        ("1.00", "0.9499", "amber"),
        ("0.85", None, "amber"),
        ("0.8499", "1.00", "red"),
        (None, "0.96", "green"),
        (None, None, None),
    ],
)
def test_rag_is_the_worse_of_spi_and_cpi_against_the_thresholds(spi, cpi, rag):
    as_decimal = lambda value: Decimal(value) if value is not None else None  # noqa: E731

    assert rag_status(spi=as_decimal(spi), cpi=as_decimal(cpi)) == rag


def test_rag_thresholds_come_from_settings(settings):
    settings.PROJECT_RAG_GREEN = "1.0"
    settings.PROJECT_RAG_AMBER = "0.9"

    assert rag_status(spi=Decimal("0.95"), cpi=None) == "amber"
