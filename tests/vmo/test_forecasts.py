"""Monte Carlo forecasts: the bootstrap against hand-computable throughput, the cached job, the API."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.models import EpicState, Forecast, ForecastItem, WorkItemStatus
from tests.factories import EpicFactory, MMPFactory, WorkItemFactory
from vmo.forecasting import HowMany, backtest_how_many, rng_for, simulate_how_many, simulate_when
from vmo.services.forecasts import forecast_value_streams

AS_OF = dt.date(2026, 7, 6)  # a Monday in 2026-Q3 (ends 30 September: 12 whole weeks ahead)


def test_constant_throughput_gives_one_date_for_every_percentile():
    # 5 items a week, every week: 20 items take exactly 4 weeks, 21 take 5, whatever the draw.
    result = simulate_when([5] * 26, [20, 21], trials=10_000, rng=rng_for(1, 1), horizon_weeks=4)
    assert [(r.p50, r.p85, r.p95) for r in result] == [(4, 4, 4), (5, 5, 5)]
    assert [r.probability_by_horizon for r in result] == [1.0, 0.0]
    assert result[0].histogram == [[4, 1.0]]


def test_seeded_run_gives_fixed_percentiles():
    # Throughput 0..7 a week (mean 3.5): 30 items take 30 / 3.5 = 8.6 weeks on average.
    (result,) = simulate_when([0, 1, 2, 3, 4, 5, 6, 7], [30], trials=10_000, rng=rng_for(1, 1), horizon_weeks=8)
    assert (result.p50, result.p85, result.p95) == (9, 11, 13)
    assert result.probability_by_horizon == 0.416
    assert simulate_how_many([0, 1, 2, 3, 4, 5, 6, 7], weeks=4, trials=10_000, rng=rng_for(1, 1)) == HowMany(14, 9, 6)


def test_how_many_with_constant_throughput_is_exact():
    assert simulate_how_many([3] * 10, weeks=12, trials=1_000, rng=rng_for(7, 1)) == HowMany(36, 36, 36)


def test_backtest_of_constant_throughput_always_hits():
    # 30 weeks of 2 items: replayed at weeks 26..26 (one point: 26 weeks before, 4 after).
    assert backtest_how_many([2] * 30, window=26, ahead=4, min_weeks=8, trials=100, rng=rng_for(1, 1)) == (1, 1)


def _done(value_stream, *, weeks_back: int, count: int):
    finished = timezone.make_aware(dt.datetime.combine(AS_OF - dt.timedelta(weeks=weeks_back), dt.time(12)))
    for _ in range(count):
        WorkItemFactory(
            value_stream=value_stream, status=WorkItemStatus.DONE, started_at=finished, finished_at=finished
        )


@pytest.fixture
def short_history(settings):
    settings.FORECAST_HISTORY_WEEKS = 10


def test_job_caches_dates_per_epic_and_mmp(short_history, value_stream, quarter):
    # Given 2 items done in each of the last 10 weeks, an implementing epic with 5 open items,
    # 3 of them in its MMP, and a backlog epic with 4 more ranked after it.
    for week in range(1, 11):
        _done(value_stream, weeks_back=week, count=2)
    epic = EpicFactory(value_stream=value_stream, state=EpicState.IMPLEMENTING)
    mmp = MMPFactory(epic=epic)
    for n in range(5):
        WorkItemFactory(value_stream=value_stream, epic=epic, mmp=mmp if n < 3 else None, status=WorkItemStatus.ACTIVE)
    later = EpicFactory(value_stream=value_stream, state=EpicState.BACKLOG)
    for _ in range(4):
        WorkItemFactory(value_stream=value_stream, epic=later, status=WorkItemStatus.NEW)

    assert forecast_value_streams(value_stream_ids=[value_stream.id], as_of=AS_OF, quarter=quarter) == 1

    forecast = Forecast.objects.get(value_stream=value_stream)
    assert (forecast.enough_history, forecast.weeks_with_data, forecast.throughput_items) == (True, 10, [2] * 10)
    assert (forecast.how_many_p50, forecast.how_many_p85, forecast.how_many_p95) == (24, 24, 24)
    rows = {(r.epic_id, r.mmp_id): r for r in ForecastItem.objects.filter(forecast=forecast)}
    # The epic: 5 items at 2 a week -> 3 weeks; its MMP: 3 items -> 2 weeks; the later epic
    # waits for the first: 9 items -> 5 weeks.
    assert (rows[(epic.id, None)].p50, rows[(epic.id, None)].p85, rows[(epic.id, None)].p95) == (
        dt.date(2026, 7, 27),
    ) * 3
    assert rows[(epic.id, mmp.id)].p85 == dt.date(2026, 7, 20)
    assert rows[(epic.id, mmp.id)].probability_by_horizon == 1.0
    assert (rows[(later.id, None)].ahead, rows[(later.id, None)].p85) == (5, dt.date(2026, 8, 10))
    assert rows[(later.id, None)].solo_p50_weeks == 2


def test_too_little_history_says_so_and_forecasts_nothing(short_history, value_stream, quarter, api_as, executive):
    for week in range(1, 8):  # 7 weeks with data: one short of 8
        _done(value_stream, weeks_back=week, count=3)
    epic = EpicFactory(value_stream=value_stream, state=EpicState.IMPLEMENTING)
    WorkItemFactory(value_stream=value_stream, epic=epic, status=WorkItemStatus.ACTIVE)

    forecast_value_streams(value_stream_ids=[value_stream.id], as_of=AS_OF, quarter=quarter)

    forecast = Forecast.objects.get(value_stream=value_stream)
    assert (forecast.enough_history, forecast.weeks_with_data, forecast.how_many_p85) == (False, 7, None)
    assert ForecastItem.objects.count() == 0
    body = api_as(executive).get(f"/api/epics/{epic.id}/forecast/").json()
    assert body["enough_history"] is False
    assert body["message"].startswith("Too little history")
    assert body["p85"] is None


def test_rerun_gives_the_same_forecast(short_history, value_stream, quarter):
    for week in range(1, 11):
        _done(value_stream, weeks_back=week, count=week % 4)
    epic = EpicFactory(value_stream=value_stream, state=EpicState.IMPLEMENTING)
    for _ in range(12):
        WorkItemFactory(value_stream=value_stream, epic=epic, status=WorkItemStatus.ACTIVE)
    forecast_value_streams(value_stream_ids=[value_stream.id], as_of=AS_OF, quarter=quarter)
    first = list(ForecastItem.objects.values_list("p50", "p85", "p95", "histogram"))
    forecast_value_streams(value_stream_ids=[value_stream.id], as_of=AS_OF, quarter=quarter)
    assert list(ForecastItem.objects.values_list("p50", "p85", "p95", "histogram")) == first
    assert ForecastItem.objects.count() == 1


def test_api_value_stream_forecast(short_history, value_stream, quarter, api_as, executive):
    for week in range(1, 11):
        _done(value_stream, weeks_back=week, count=2)
    forecast_value_streams(value_stream_ids=[value_stream.id], as_of=AS_OF, quarter=quarter)
    body = api_as(executive).get(f"/api/value-streams/{value_stream.id}/forecast/").json()
    assert body["how_many"] == {"by": "2026-09-30", "p50": 24, "p85": 24, "p95": 24}
    assert (body["enough_history"], body["weeks_with_data"], body["throughput"]) == (True, 10, [2] * 10)


def test_api_forecast_not_computed_yet_and_unknown(value_stream, api_as, executive, api_client):
    client = api_as(executive)
    body = client.get(f"/api/value-streams/{value_stream.id}/forecast/").json()
    assert (body["enough_history"], body["how_many"]["p85"], body["backtest_p85_hit_rate"]) == (False, None, None)
    assert client.get("/api/value-streams/999999/forecast/").status_code == 404
    assert client.get("/api/epics/999999/forecast/").status_code == 404
    assert api_client.get(f"/api/value-streams/{value_stream.id}/forecast/").status_code == 401


def test_rollup_enqueues_the_forecast_after_commit(value_stream, current_quarter, django_capture_on_commit_callbacks):
    from vmo.services.rollups import rollup_value_streams

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rollup_value_streams(value_stream_ids=[value_stream.id], quarter=current_quarter)
    assert len(callbacks) == 1
    assert Forecast.objects.filter(value_stream=value_stream).count() == 1
