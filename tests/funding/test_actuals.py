"""The cost rule (funding.selectors.actuals) against hand-computed tables."""

import datetime as dt

import pytest

from funding.selectors.actuals import (
    actual_cost_by_value_stream,
    cost_reconciliation,
    epic_actuals,
    mmps_with_cost,
    with_actuals,
)
from portfolio.models import Epic, EpicState, MMPKind
from tests.factories import (
    EpicFactory,
    GuardrailFactory,
    MMPFactory,
    QuarterBudgetFactory,
    SpendFactory,
    TeamFactory,
    TeamSprintFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db


def _item(value_stream, epic=None, *, size=None, status="done", mmp=None):
    return WorkItemFactory(value_stream=value_stream, epic=epic, mmp=mmp, size=size, status=status)


@pytest.fixture
def spread(value_stream):
    """Team A (cost 90,000.00 a sprint), two sprints:

    sprint 1: EP-A items sizes 3 (done) + 2 (done), EP-B item size 1 (done), EP-B item size 5
              (active, not delivered), an item of no epic without size (done, counts 1):
              done size 3 + 2 + 1 + 1 = 7; each item gets floor(9,000,000 x size / 7): EP-A
              3,857,142 + 2,571,428 = 6,428,570,
              EP-B 9,000,000 x 1/7 = 1,285,714, no epic 1,285,714.
    sprint 2: EP-B item size 4 (done).
              EP-B 9,000,000 x 4/4 = 9,000,000.
    tagged spend: EP-A 500,000 (and a void row of 700,000 that does not count).
    EP-C: an epic with no work items and an estimate: actual 0.
    """
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=9_000_000)
    a = EpicFactory(
        key="EP-A", value_stream=value_stream, estimated_cost_cents=20_000_000, state=EpicState.IMPLEMENTING
    )
    b = EpicFactory(key="EP-B", value_stream=value_stream, estimated_cost_cents=10_000_000, state=EpicState.DONE)
    c = EpicFactory(key="EP-C", value_stream=value_stream, estimated_cost_cents=3_000_000)
    a_mvp = MMPFactory(epic=a, kind=MMPKind.MVP)
    sprint1_items = [
        _item(value_stream, a, size=3, mmp=a_mvp),
        _item(value_stream, a, size=2),
        _item(value_stream, b, size=1),
        _item(value_stream, b, size=5, status="active"),
        _item(value_stream, None),
    ]
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14), items=sprint1_items)
    TeamSprintFactory(
        team=team, start=dt.date(2026, 7, 15), end=dt.date(2026, 7, 28), items=[_item(value_stream, b, size=4)]
    )
    SpendFactory(value_stream=value_stream, epic=a, amount_cents=500_000, month=dt.date(2026, 7, 1))
    SpendFactory(
        value_stream=value_stream,
        epic=a,
        amount_cents=700_000,
        month=dt.date(2026, 7, 1),
        voided_at=dt.datetime(2026, 7, 2, tzinfo=dt.UTC),
    )
    return {"a": a, "b": b, "c": c, "a_mvp": a_mvp, "team": team}


def test_sprint_cost_is_spread_by_done_size_and_tagged_spend_adds(spread):
    rows = {e.key: e for e in with_actuals(Epic.objects.all())}
    assert rows["EP-A"].sprint_cost_cents == 6_428_570
    assert rows["EP-A"].tagged_spend_cents == 500_000
    assert rows["EP-A"].actual_cents == 6_928_570
    assert rows["EP-B"].actual_cents == 1_285_714 + 9_000_000
    assert rows["EP-C"].actual_cents == 0


def test_forecast_at_completion_and_variance(spread):
    rows = {e.key: e for e in with_actuals(Epic.objects.all())}
    # EP-A: implementing, done size 5 of 5 (all its items are done) -> actual x 5/5.
    assert rows["EP-A"].forecast_cents == 6_928_570
    assert rows["EP-A"].variance_cents == 6_928_570 - 20_000_000
    # EP-B is done: the forecast is the actual.
    assert rows["EP-B"].forecast_cents == 10_285_714
    assert rows["EP-B"].variance_cents == 285_714
    # EP-C has no work and no cost yet: the estimate stands.
    assert rows["EP-C"].forecast_cents == 3_000_000
    assert rows["EP-C"].variance_cents == 0


def test_forecast_extrapolates_the_spend_rate(value_stream):
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=1_000_000)
    epic = EpicFactory(value_stream=value_stream, estimated_cost_cents=2_000_000, state=EpicState.IMPLEMENTING)
    done = _item(value_stream, epic, size=1)
    _item(value_stream, epic, size=3, status="active")
    TeamSprintFactory(team=team, items=[done])
    row = epic_actuals(epic_id=epic.id)
    # actual 1,000,000 for 1 of 4 size done -> 4,000,000 at completion, 2,000,000 over.
    assert (row.actual_cents, row.size_done, row.size_total) == (1_000_000, 1, 4)
    assert row.forecast_cents == 4_000_000
    assert row.variance_cents == 2_000_000


def test_cost_per_release_follows_the_same_rule(spread):
    mmps = list(mmps_with_cost(epic_id=spread["a"].id))
    # The MVP's item is size 3 of sprint 1's done size 7.
    assert [m.actual_cents for m in mmps] == [9_000_000 * 3 // 7]


def test_a_sprint_without_done_work_attributes_nothing(value_stream):
    team = TeamFactory(value_stream=value_stream)
    epic = EpicFactory(value_stream=value_stream)
    TeamSprintFactory(team=team, items=[_item(value_stream, epic, size=2, status="active")])
    assert epic_actuals(epic_id=epic.id).actual_cents == 0


def test_value_stream_actual_cost_sums_its_epics(spread, value_stream, other_value_stream):
    EpicFactory(value_stream=other_value_stream)
    figures = actual_cost_by_value_stream()
    assert figures[value_stream.id] == {"actual_cents": 6_928_570 + 10_285_714, "estimate_cents": 33_000_000}
    assert figures[other_value_stream.id]["actual_cents"] == 0


def test_query_count_of_the_epic_list_is_constant(spread, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(with_actuals(Epic.objects.all()))


# --- reconciliation --------------------------------------------------------------------------


def test_reconciliation_flags_months_beyond_the_tolerance(value_stream, other_value_stream, quarter):
    """Payments: team 100,000.00 a sprint; July two sprints ending (200,000.00) against labour
    215,000.00 (+7.5 %, inside 10 %); August one sprint (100,000.00) against 150,000.00 (+50 %,
    flagged); licences do not count. Onboarding: a team with no sprints and 80,000.00 of labour
    in July: no sprint data, not flagged. Tolerance 10 % from the guardrail."""
    GuardrailFactory(budget=QuarterBudgetFactory(quarter=quarter), cost_tolerance_pct=10)
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=10_000_000)
    TeamFactory(value_stream=other_value_stream)
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14))
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 15), end=dt.date(2026, 7, 28))
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 29), end=dt.date(2026, 8, 11))
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=21_500_000)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=15_000_000)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 8, 1), amount_cents=9_000_000, category="licences")
    SpendFactory(value_stream=other_value_stream, month=dt.date(2026, 7, 1), amount_cents=8_000_000)

    rows = cost_reconciliation(start=quarter.start, end=quarter.end, quarter=quarter)
    table = [(r.value_stream_id, r.month, r.labour_cents, r.team_cost_cents, r.deviation, r.flagged) for r in rows]
    assert table == [
        (value_stream.id, dt.date(2026, 7, 1), 21_500_000, 20_000_000, 0.075, False),
        (value_stream.id, dt.date(2026, 8, 1), 15_000_000, 10_000_000, 0.5, True),
        (other_value_stream.id, dt.date(2026, 7, 1), 8_000_000, None, None, False),
    ]


def test_reconciliation_tolerance_is_exact_at_the_edge(value_stream, quarter):
    """Exactly 10 % over is within a 10 % tolerance; a cent more is not."""
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=10_000_000)
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14))
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=11_000_000)
    [row] = cost_reconciliation(start=quarter.start, end=quarter.end, quarter=quarter)
    assert (row.tolerance_pct, row.flagged) == (10, False)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=1)
    [row] = cost_reconciliation(start=quarter.start, end=quarter.end, quarter=quarter)
    assert row.flagged is True


def test_a_month_with_sprints_and_no_labour_booked_is_not_yet_booked(value_stream, quarter):
    """Actuals arrive when a month closes: sprints that ended in a month whose labour is not
    booked yet show no deviation and are not flagged (they read -100 % before)."""
    team = TeamFactory(value_stream=value_stream, cost_per_sprint_cents=10_000_000)
    TeamSprintFactory(team=team, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 14))
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=9_000_000, category="licences")

    [row] = cost_reconciliation(start=quarter.start, end=quarter.end, quarter=quarter)

    assert (row.labour_cents, row.team_cost_cents, row.deviation, row.flagged) == (None, 10_000_000, None, False)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=1)
    [row] = cost_reconciliation(start=quarter.start, end=quarter.end, quarter=quarter)
    assert (row.labour_cents, row.flagged) == (1, True)
