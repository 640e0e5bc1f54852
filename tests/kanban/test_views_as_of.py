"""The Kanban board and the epic page as of a date: states and WSJF as they stood, read-only."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from portfolio.models import Epic
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")
D = dt.date(2026, 6, 30)


@pytest.fixture
def moved_epic(value_stream):
    """AS-1 in the funnel on D, in reviewing since D+1 00:01 (scored 1/1/1 by 1, now 8/5/3 by 5)."""
    epic = EpicFactory(
        key="AS-1", value_stream=value_stream, business_value=1, time_criticality=1, risk_reduction=1, job_size=1
    )
    epic.state, epic.business_value, epic.time_criticality, epic.risk_reduction, epic.job_size = "reviewing", 8, 5, 3, 5
    epic.save()
    first, second = Epic.history.model.objects.order_by("history_id")
    type(first).objects.filter(pk=first.pk).update(history_date=dt.datetime(2026, 6, 30, 12, tzinfo=UTC))
    type(second).objects.filter(pk=second.pk).update(history_date=dt.datetime(2026, 7, 1, 0, 1, tzinfo=UTC))
    return epic


def _column_of(html, key):
    # the card's column is the last column heading before it
    head = html[: html.index(f">{key}<")] if f">{key}<" in html else html[: html.index(key)]
    return head.rsplit('data-state="', 1)[1].split('"', 1)[0]


def test_the_board_as_of_a_day_shows_then_states_read_only(client, vsm, moved_epic):
    client.force_login(vsm)

    then = client.get(reverse("kanban-board"), {"as_of": D.isoformat()}).content.decode()
    now = client.get(reverse("kanban-board")).content.decode()

    assert "You are looking at 2026-06-30: read-only." in then
    assert _column_of(then, "AS-1") == "funnel"
    assert _column_of(now, "AS-1") == "reviewing"
    assert "move-dialog" not in then
    assert "move-dialog" in now
    assert 'type="date" name="as_of"' in now


def test_the_epic_page_as_of_shows_then_wsjf_without_edit_links(client, vsm, moved_epic):
    client.force_login(vsm)
    html = client.get(reverse("kanban-epic", args=["AS-1"]), {"as_of": D.isoformat()}).content.decode()
    assert "read-only" in html
    assert reverse("kanban-epic-edit", args=["AS-1"]) not in html
    assert "3.00" in html  # WSJF (1+1+1)/1 then; 3.20 now


def test_an_epic_that_did_not_exist_then_is_404(client, vsm, moved_epic):
    client.force_login(vsm)
    response = client.get(reverse("kanban-epic", args=["AS-1"]), {"as_of": "2026-06-01"})
    assert response.status_code == 404


@pytest.mark.parametrize("raw", ["2026-02-30", "x", "2999-01-01"])
def test_a_bad_as_of_is_400(client, vsm, raw):
    client.force_login(vsm)
    assert client.get(reverse("kanban-board"), {"as_of": raw}).status_code == 400


def test_the_board_as_of_has_the_live_boards_query_count(client, vsm, value_stream, django_assert_max_num_queries):
    for n in range(8):
        EpicFactory(key=f"AS-Q{n}", value_stream=value_stream).save()
    client.force_login(vsm)
    url = reverse("kanban-board")
    client.get(url, {"as_of": dt.date.today().isoformat()})
    with django_assert_max_num_queries(12):
        client.get(url, {"as_of": dt.date.today().isoformat()})
