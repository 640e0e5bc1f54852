"""Issue 20 point 2: the VMO backlog's two horizons (short term: this month; long term: the
quarter and beyond), with ageing (days open) and readiness (owner, due date, description)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ActionItemFactory
from vmo.models import ActionItem
from vmo.selectors.backlog import action_item_list, backlog_horizons
from vmo.services import backlog as services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 15)


def _opened(item, days_ago: int):
    """Back-date an item's creation (auto_now_add) to noon `days_ago` days before TODAY."""
    at = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)))
    ActionItem.objects.filter(pk=item.pk).update(created_at=at)


def _ready(**kw):
    return {"owner": kw.pop("owner"), "due": TODAY + dt.timedelta(days=10), "description": "Done means: ...", **kw}


def test_horizons_count_open_ready_overdue_and_ageing_in_the_database(director, django_assert_num_queries):
    # short term: ready and 0 days old; not ready (no due) 7 days; ready but overdue 8 days;
    # done 200 days (closed items are not counted)
    _opened(ActionItemFactory(horizon="short_term", **_ready(owner=director)), 0)
    _opened(ActionItemFactory(horizon="short_term", owner=director, description="x"), 7)
    _opened(ActionItemFactory(horizon="short_term", **_ready(owner=director, due=TODAY - dt.timedelta(days=1))), 8)
    _opened(ActionItemFactory(horizon="short_term", status="done"), 200)
    # long term: no owner 30 days; ready 31 days; in progress, no description 90 days; 91 days
    _opened(ActionItemFactory(horizon="long_term", due=TODAY, description="x"), 30)
    _opened(ActionItemFactory(horizon="long_term", **_ready(owner=director)), 31)
    _opened(ActionItemFactory(horizon="long_term", owner=director, due=TODAY, status="in_progress"), 90)
    _opened(ActionItemFactory(horizon="long_term"), 91)

    with django_assert_num_queries(1):
        short, long = backlog_horizons(today=TODAY)

    assert (short.horizon, short.open, short.ready, short.not_ready, short.overdue) == ("short_term", 3, 2, 1, 1)
    assert short.ages == (("up to 7 days", 2), ("8-30 days", 1), ("31-90 days", 0), ("over 90 days", 0))
    assert (long.horizon, long.open, long.ready, long.not_ready, long.overdue) == ("long_term", 4, 1, 3, 0)
    assert long.ages == (("up to 7 days", 0), ("8-30 days", 1), ("31-90 days", 2), ("over 90 days", 1))


def test_an_empty_backlog_has_both_horizons_at_zero():
    short, long = backlog_horizons(today=TODAY)
    assert (short.open, short.ready, short.overdue, long.open) == (0, 0, 0, 0)
    assert short.oldest_created is None


def test_days_open_runs_to_today_or_to_closing(director, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda value=None: value.date() if value else TODAY)
    open_item = ActionItemFactory()
    _opened(open_item, 12)
    closed = ActionItemFactory(status="done")
    _opened(closed, 40)
    ActionItem.objects.filter(pk=closed.pk).update(
        closed_at=timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=15), dt.time(9)))
    )

    rows = {i.pk: i for i in action_item_list(today=TODAY)}

    assert rows[open_item.pk].days_open == 12
    assert rows[closed.pk].days_open == 25


def test_readiness_needs_owner_due_and_description(director):
    ready = ActionItemFactory(**_ready(owner=director))
    no_owner = ActionItemFactory(due=TODAY, description="x")
    no_due = ActionItemFactory(owner=director, description="x")
    no_description = ActionItemFactory(owner=director, due=TODAY)

    flags = dict(action_item_list(today=TODAY).values_list("pk", "is_ready"))

    assert [flags[i.pk] for i in (ready, no_owner, no_due, no_description)] == [True, False, False, False]


def test_backlog_page_shows_both_horizons_with_age_and_readiness(client, executive, director):
    short = services.action_item_create(title="Book the room", owner=director, due=TODAY, description="x")
    services.action_item_create(title="Shared test environment", horizon="long_term")
    client.force_login(executive)

    html = client.get("/vmo/").content.decode()

    short_part = html[html.index('id="horizon-short_term"') : html.index('id="horizon-long_term"')]
    long_part = html[html.index('id="horizon-long_term"') :]
    assert "Short term (this month)" in short_part and "Book the room" in short_part
    assert "Shared test environment" not in short_part
    assert "Long term (quarter and beyond)" in long_part and "Shared test environment" in long_part
    assert '<td class="num age">0</td>' in short_part
    assert "<strong>1</strong> open · <strong>1</strong> ready, 0 not ready" in short_part
    assert "<strong>1</strong> open · <strong>0</strong> ready, 1 not ready" in long_part
    assert ">ready</span>" in short_part and ">not ready</span>" in long_part
    assert ActionItem.objects.get(pk=short.pk).horizon == "short_term"


def test_keepers_add_a_long_term_item_on_the_page(client, program_manager):
    client.force_login(program_manager)
    response = client.post("/vmo/action-items/", {"title": "Portfolio tooling", "priority": 2, "horizon": "long_term"})
    assert response.status_code == 302
    assert ActionItem.objects.get().horizon == "long_term"


def test_an_unknown_horizon_is_refused_and_nothing_is_added(client, program_manager):
    client.force_login(program_manager)
    response = client.post("/vmo/action-items/", {"title": "X", "priority": 2, "horizon": "someday"})
    assert response.status_code == 400
    assert ActionItem.objects.count() == 0


def test_moves_stay_within_a_horizon():
    first = services.action_item_create(title="Short 1")
    services.action_item_create(title="Long 1", horizon="long_term")
    second = services.action_item_create(title="Short 2")

    services.action_item_move(item=second, direction="up")

    ranks = dict(ActionItem.objects.values_list("title", "rank"))
    assert ranks == {"Short 1": 3, "Long 1": 2, "Short 2": 1}
    assert first.pk != second.pk


def test_api_horizon_filter_and_fields(api_as, executive, director):
    services.action_item_create(title="Short", owner=director, due=TODAY, description="x")
    client = api_as(executive)
    created = client.post("/api/action-items/", {"title": "Long", "horizon": "long_term"}, format="json")

    rows = client.get("/api/action-items/?horizon=long_term").json()["results"]

    assert created.status_code == 201
    assert [(r["title"], r["horizon"], r["is_ready"], r["days_open"]) for r in rows] == [
        ("Long", "long_term", False, 0)
    ]
    short = client.get("/api/action-items/?horizon=short_term").json()["results"]
    assert [(r["title"], r["is_ready"]) for r in short] == [("Short", True)]
    assert (
        client.patch(f"/api/action-items/{created.json()['id']}/", {"horizon": "soon"}, format="json").status_code
        == 400
    )


def test_an_owner_cannot_move_an_item_between_horizons_through_the_api(api_as, vsm):
    item = services.action_item_create(title="Mine", owner=vsm)
    response = api_as(vsm).patch(f"/api/action-items/{item.pk}/", {"horizon": "long_term"}, format="json")
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.horizon == "short_term"
