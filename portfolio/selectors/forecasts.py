"""Reads of the cached Monte Carlo forecasts (computed by vmo's job): a constant number of
queries whatever the number of epics, for the pages and the API of every app."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast

from portfolio.models import Forecast, ForecastItem, ValueStream


def value_stream_forecast(*, value_stream_id: int) -> Forecast | None:
    return Forecast.objects.filter(value_stream_id=value_stream_id).select_related("value_stream").first()


def epic_forecast(*, epic_id: int) -> tuple[Forecast | None, ForecastItem | None]:
    """The epic's stream forecast and the epic's own row (None when it has no remaining work or
    its stream has too little history). Two queries."""
    forecast = Forecast.objects.filter(value_stream__epics=epic_id).first()
    item = None
    if forecast is not None:
        item = ForecastItem.objects.filter(forecast=forecast, epic_id=epic_id, mmp__isnull=True).first()
    return forecast, item


def epic_forecast_items(*, epic_ids: Iterable[int]) -> dict[int, ForecastItem]:
    """Epic id -> its forecast row (epic-level, not MMPs): one query, for the board's cards."""
    rows = ForecastItem.objects.filter(epic_id__in=list(epic_ids), mmp__isnull=True)
    return {row.epic_id: row for row in rows.only("epic_id", "p50", "p85", "p95", "solo_p50_weeks")}


def mmp_forecast_items(*, mmp_ids: Iterable[int]) -> dict[int, ForecastItem]:
    """MMP id -> its forecast row: one query, for the planning workspace."""
    return {row.mmp_id: row for row in ForecastItem.objects.filter(mmp_id__in=list(mmp_ids))}


def forecasts_by_value_stream(*, value_stream_ids: Iterable[int] | None = None) -> dict[int, Forecast]:
    rows = Forecast.objects.all()
    if value_stream_ids is not None:
        rows = rows.filter(value_stream_id__in=list(value_stream_ids))
    return {row.value_stream_id: row for row in rows}


@dataclass(frozen=True)
class HitRate:
    value_stream: ValueStream
    points: int
    hits: int
    rate: float | None  # None: no past week could be replayed ("no data")


def forecast_hit_rates() -> list[HitRate]:
    """P85 backtest hit rate per value stream (should be near 0.85), computed by the database."""
    rows = (
        Forecast.objects.select_related("value_stream")
        .annotate(
            rate=Cast(F("backtest_hits"), FloatField()) / Cast(F("backtest_points"), FloatField()),
        )
        .filter(Q(value_stream__active=True))
        .order_by("value_stream__name")
    )
    return [
        HitRate(row.value_stream, row.backtest_points, row.backtest_hits, row.rate if row.backtest_points else None)
        for row in rows
    ]


def probability_by(item: ForecastItem, *, as_of, day) -> float:
    """Share of the trials finished by `day`, read off the cached histogram (weeks from as_of)."""
    weeks = max((day - as_of).days + 1, 0) // 7
    return round(sum(share for week, share in item.histogram if week <= weeks), 4)


def mmp_probabilities(*, mmp_ids: Iterable[int], day) -> dict[int, float]:
    """MMP id -> the probability that it lands by `day` (a quarter's end): one query. MMPs of a
    stream with too little history, or not forecast yet, are absent (the page says so)."""
    rows = ForecastItem.objects.filter(mmp_id__in=list(mmp_ids)).select_related("forecast")
    return {row.mmp_id: probability_by(row, as_of=row.forecast.as_of, day=day) for row in rows}
