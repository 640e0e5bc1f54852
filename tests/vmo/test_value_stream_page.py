"""The value stream page: figures, charts data, CFD, burn, OKRs, rollup progress, permissions."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from funding.models import Spend
from kanban.models import Transition
from kanban.selectors import epic_cumulative_flow
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    KeyResultFactory,
    MMPFactory,
    ObjectiveFactory,
    QuarterBudgetFactory,
    SpendFactory,
    TransitionFactory,
    ValueStreamSnapshotFactory,
    WorkItemFactory,
)
from vmo.models import ValueStreamSnapshot

pytestmark = pytest.mark.django_db


def charts(response) -> dict:
    found = re.search(r'<script id="value-stream-charts"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    return json.loads(found.group(1))


def test_executive_sees_figures_progress_okrs_and_chart_data(client, executive, value_stream, current_quarter):
    today = timezone.localdate()
    ValueStreamSnapshotFactory(
        value_stream=value_stream,
        quarter=current_quarter,
        as_of=today,
        flow_velocity=12,
        dora_level="elite",
        flow_distribution={"feature": 0.75, "defect": 0.25},
    )
    epic = EpicFactory(value_stream=value_stream, state="implementing", key="PAY-1", title="Instant payouts")
    mmp = MMPFactory(epic=epic, title="Payouts MVP", kind="mvp")
    WorkItemFactory(value_stream=value_stream, epic=epic, mmp=mmp, size=3, status="done")
    WorkItemFactory(value_stream=value_stream, epic=epic, size=1, status="active")
    KeyResultFactory(
        objective=ObjectiveFactory(quarter=current_quarter, value_stream=value_stream, title="Faster payouts")
    )
    AllocationFactory(
        budget=QuarterBudgetFactory(quarter=current_quarter), value_stream=value_stream, amount_cents=500_000
    )
    SpendFactory(value_stream=value_stream, month=current_quarter.start, amount_cents=100_000)
    client.force_login(executive)

    response = client.get("/value-streams/payments/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dora-level">Elite<' in html
    assert "3 / 4" in html  # epic PAY-1 done / total size
    assert "Faster payouts" in html
    assert "Roll up now" not in html  # executives read only
    for canvas in ("chart-flow-trend", "chart-distribution", "chart-dora-trend", "chart-cfd", "chart-burn"):
        assert f'id="{canvas}"' in html
    data = charts(response)
    assert [row["flow_velocity"] for row in data["trend"]] == [12]
    assert data["distribution"] == {"feature": 0.75, "defect": 0.25}
    assert data["burn"]["allocated"] == 5_000.0
    assert data["burn"]["spent"][0] == 1_000.0
    # the first month is booked; the page says so beside the forecast
    booked = current_quarter.start.strftime("%b %Y")
    assert data["burn"]["booked_months"] == [booked]
    assert f"Booked months: {booked}." in html
    assert 'src="/static/js/value_stream.js"' in html

    # the same stream before any month is booked: no rate, so no forecast (not one of 0)
    Spend.objects.all().delete()
    response = client.get("/value-streams/payments/")
    assert charts(response)["burn"]["forecast"] is None
    assert "· forecast no data</p>" in response.content.decode()


def test_cumulative_flow_counts_first_arrivals_per_state_by_day(value_stream):
    start = dt.date(2026, 7, 1)
    moved = EpicFactory(value_stream=value_stream)
    other = EpicFactory(value_stream=value_stream)

    def move(epic, to, day):
        TransitionFactory(epic=epic, from_state="", to_state=to, at=dt.datetime(2026, 7, day, 12, tzinfo=dt.UTC))

    TransitionFactory(epic=moved, to_state="funnel", at=dt.datetime(2026, 6, 20, tzinfo=dt.UTC))  # before
    move(other, "funnel", 1)
    move(moved, "reviewing", 2)
    move(moved, "funnel", 3)  # a backward move does not shrink the bands
    move(moved, "reviewing", 3)

    cfd = epic_cumulative_flow(value_stream_id=value_stream.id, start=start, end=dt.date(2026, 7, 3))

    counts = {band["state"]: band["counts"] for band in cfd["states"]}
    assert cfd["labels"] == ["2026-07-01", "2026-07-02", "2026-07-03"]
    assert counts["funnel"] == [2, 2, 2]
    assert counts["reviewing"] == [0, 1, 1]
    assert counts["done"] == [0, 0, 0]
    assert Transition.objects.count() == 5


def test_the_page_runs_a_constant_number_of_queries(
    client, executive, value_stream, current_quarter, django_assert_num_queries
):
    client.force_login(executive)

    added = []

    def add(n):
        for _ in range(n):
            i = len(added)
            added.append(i)
            epic = EpicFactory(value_stream=value_stream, state="implementing")
            MMPFactory(epic=epic)
            WorkItemFactory(value_stream=value_stream, epic=epic, status="done")
            TransitionFactory(epic=epic, to_state="implementing")
            ObjectiveFactory(quarter=current_quarter, value_stream=value_stream)
            ValueStreamSnapshotFactory(
                value_stream=value_stream, quarter=current_quarter, as_of=current_quarter.start + dt.timedelta(days=i)
            )

    add(1)
    client.get("/value-streams/payments/")  # warm the session
    # 16 + the cached forecast (1, issue 16) + benefit chart (2), predictability trend (2), cost
    # reconciliation (3), time in state (1) (issue 12) + an agile stream's sprint panel: teams,
    # team and stream predictability, burn-up (4, issue 18), the currency label (1, issue 19),
    # people in their roles and release trains (2, issue 20; a stream with trains adds their
    # teams, increments and predictability: 4 more) + the money figures' second grouped query
    with django_assert_num_queries(33) as small:
        client.get("/value-streams/payments/")
    add(15)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/value-streams/payments/")


def test_an_unknown_value_stream_is_404(client, executive):
    client.force_login(executive)

    assert client.get("/value-streams/nope/").status_code == 404


def test_the_old_portfolio_page_is_gone_and_the_list_links_here(client, executive, value_stream):
    client.force_login(executive)

    html = client.get("/value-streams/").content.decode()

    assert 'href="/value-streams/payments/"' in html


def test_vsm_starts_a_rollup_and_htmx_shows_its_progress_then_the_result(
    client, vsm, value_stream, current_quarter, django_capture_on_commit_callbacks
):
    client.force_login(vsm)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = client.post("/value-streams/payments/rollup/", headers={"HX-Request": "true"})

    html = started.content.decode()
    assert started.status_code == 200
    assert "<html" not in html
    assert 'id="task-progress"' in html
    assert "Rollup queued since" in html  # the request only recorded the outbox row
    # The nudge after commit (eager here: it drained the outbox), then the forecast the rollup it
    # ran enqueues after its own commit.
    assert len(callbacks) == 2
    poll_url = html.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    polled = client.get(poll_url, headers={"HX-Request": "true"}).content.decode()
    assert "Rollup done (computed " in polled
    assert "hx-trigger" not in polled  # finished: polling stops
    assert ValueStreamSnapshot.objects.filter(value_stream=value_stream, quarter=current_quarter).count() == 1


def test_progress_partial_polls_while_the_stream_waits_in_the_outbox(
    client, vsm, value_stream, current_quarter, django_assert_num_queries
):
    from portfolio.models import RollupDue

    RollupDue.objects.create(value_stream=value_stream)
    client.force_login(vsm)
    client.get("/healthz")  # warm the session so the count below is the view's own

    with django_assert_num_queries(5):  # session, user, the stream, its outbox row, its newest snapshot
        response = client.get(
            "/value-streams/payments/rollup/progress/",
            {"since": "2026-07-01T10:00:00+00:00"},
            headers={"HX-Request": "true"},
        )

    html = response.content.decode()
    assert '<progress value="1" max="2">' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Rollup queued since" in html


def test_progress_without_a_valid_since_is_a_400(client, vsm, value_stream):
    client.force_login(vsm)

    for since in ("", "yesterday", "2026-07-01T10:00:00"):  # naive: ambiguous
        response = client.get("/value-streams/payments/rollup/progress/", {"since": since})
        assert response.status_code == 400


def test_progress_never_touches_the_broker_or_its_result_backend(client, vsm, value_stream, monkeypatch):
    from celery.backends.base import BaseBackend

    def forbidden(*args, **kwargs):
        raise AssertionError("the result backend was touched in a request")

    monkeypatch.setattr(BaseBackend, "get_task_meta", forbidden)
    monkeypatch.setattr("celery.app.base.Celery.send_task", forbidden)
    client.force_login(vsm)

    response = client.get("/value-streams/payments/rollup/progress/", {"since": "2026-07-01T10:00:00+00:00"})

    assert response.status_code == 200
    assert "Nothing to roll up now" in response.content.decode()


def test_without_htmx_the_rollup_redirects_to_the_page_which_polls(client, director, value_stream, current_quarter):
    client.force_login(director)

    response = client.post("/value-streams/payments/rollup/")

    assert response.status_code == 302
    assert response["Location"].startswith("/value-streams/payments/?rollup=")
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="load"' in page
    assert "/value-streams/payments/rollup/progress/?since=" in page


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_start_a_rollup_and_nothing_is_written(client, request, persona, value_stream, current_quarter):
    client.force_login(request.getfixturevalue(persona))

    response = client.post("/value-streams/payments/rollup/")

    assert response.status_code == 403
    assert ValueStreamSnapshot.objects.count() == 0


def test_with_the_broker_down_starting_a_rollup_answers_and_keeps_it_in_the_outbox(
    client, vsm, value_stream, current_quarter, monkeypatch
):
    from portfolio.models import RollupDue

    monkeypatch.setattr("portfolio.services.base._nudge_rollup_drain", lambda: None)
    client.force_login(vsm)

    response = client.post("/value-streams/payments/rollup/")

    assert response.status_code == 302
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]
