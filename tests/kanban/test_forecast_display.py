"""The cached forecast on the Kanban: P85 on implementing cards, dates and chart on the epic page."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio.models import Forecast, ForecastItem
from tests.factories import EpicFactory


def _forecast(value_stream, *, enough=True):
    return Forecast.objects.create(
        value_stream=value_stream,
        as_of=dt.date(2026, 7, 6),
        computed_at=timezone.now(),
        trials=10_000,
        seed=1,
        history_weeks=26,
        weeks_with_data=20 if enough else 5,
        enough_history=enough,
        horizon_end=dt.date(2026, 9, 30),
    )


@pytest.mark.parametrize("count", [1, 30])
def test_implementing_cards_show_their_p85_in_one_query(client, vsm, value_stream, django_assert_num_queries, count):
    forecast = _forecast(value_stream)
    for n in range(count):
        epic = EpicFactory(key=f"IMP-{n}", value_stream=value_stream, state="implementing")
        ForecastItem.objects.create(
            forecast=forecast,
            epic=epic,
            remaining=3,
            p50=dt.date(2026, 7, 20),
            p85=dt.date(2026, 7, 27),
            p95=dt.date(2026, 8, 3),
        )
    client.force_login(vsm)
    client.get("/kanban/")
    # the board's 12 queries (see test_views) and one for the forecasts of the implementing cards
    with django_assert_num_queries(13):
        response = client.get("/kanban/")
    # A column shows its best 25 cards (issue 15): the 30-card case shows 25 dates.
    assert response.content.decode().count("P85 2026-07-27") == min(count, 25)


def test_epic_page_shows_the_three_dates_and_the_chart(client, executive, value_stream):
    forecast = _forecast(value_stream)
    epic = EpicFactory(key="PAY-9", value_stream=value_stream, state="implementing")
    ForecastItem.objects.create(
        forecast=forecast,
        epic=epic,
        remaining=7,
        ahead=4,
        p50=dt.date(2026, 7, 20),
        p85=dt.date(2026, 7, 27),
        p95=dt.date(2026, 8, 3),
        histogram=[[2, 0.5], [3, 0.35], [4, 0.15]],
    )
    client.force_login(executive)
    page = client.get("/kanban/epics/PAY-9/").content.decode()
    assert '<dd id="forecast-p50">2026-07-20</dd>' in page
    assert '<dd id="forecast-p85">2026-07-27</dd>' in page
    assert '<dd id="forecast-p95">2026-08-03</dd>' in page
    assert page.count("<title>week ") == 3
    assert "7 items left, after 4 ranked ahead" in page


def test_epic_page_says_too_little_history(client, executive, value_stream):
    _forecast(value_stream, enough=False)
    EpicFactory(key="PAY-8", value_stream=value_stream, state="implementing")
    client.force_login(executive)
    page = client.get("/kanban/epics/PAY-8/").content.decode()
    assert "Too little history: 5 of the last 26 weeks had done work items (8 needed). No forecast." in page
