"""The VMO backlog: order, filters, overdue flag, htmx quick add and status change, API, roles."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import ActionItemFactory, PlanningEventFactory
from vmo.models import ActionItem

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_backlog_page_lists_items_in_order_and_flags_overdue(client, executive):
    late = ActionItemFactory(title="Publish the OKRs", rank=2, due=days(-3))
    ActionItemFactory(title="Book the room", rank=1, due=days(5))
    ActionItemFactory(title="Old and done", rank=3, due=days(-10), status="done")
    client.force_login(executive)

    html = client.get("/vmo/").content.decode()

    assert html.index("Book the room") < html.index("Publish the OKRs") < html.index("Old and done")
    assert html.count(">overdue</span>") == 1
    assert f'<tr id="action-item-{late.id}" class="overdue">' in html


def test_backlog_filters_by_overdue_and_owner(client, executive, vsm):
    ActionItemFactory(title="Late one", due=days(-1))
    ActionItemFactory(title="Vals item", owner=vsm)
    client.force_login(executive)

    overdue = client.get("/vmo/?overdue=true").content.decode()
    owned = client.get(f"/vmo/?owner={vsm.id}").content.decode()

    assert "Late one" in overdue and "Vals item" not in overdue
    assert "Vals item" in owned and "Late one" not in owned


@pytest.mark.parametrize("persona", ["director", "program_manager", "executive"])
def test_backlog_keepers_quick_add_with_htmx(client, request, persona):
    user = request.getfixturevalue(persona)
    ActionItemFactory(title="First", rank=1)
    client.force_login(user)

    response = client.post(
        "/vmo/action-items/", {"title": "Send the plan", "priority": "1", "due": "2030-01-31"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="backlog">')
    assert "Send the plan" in html
    item = ActionItem.objects.get(title="Send the plan")
    assert (item.rank, item.priority, item.created_by) == (2, 1, user)


def test_vsm_cannot_add_action_items_and_nothing_changes(client, vsm):
    client.force_login(vsm)

    response = client.post("/vmo/action-items/", {"title": "Sneaky", "priority": "2"})

    assert response.status_code == 403
    assert ActionItem.objects.count() == 0


def test_quick_add_without_title_shows_the_form_again(client, director):
    client.force_login(director)

    response = client.post("/vmo/action-items/", {"title": "", "priority": "2"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ActionItem.objects.count() == 0


def test_status_change_with_htmx_answers_the_row_and_stamps_closed_at(client, program_manager):
    item = ActionItemFactory(title="Draft comms", due=days(-2))
    client.force_login(program_manager)

    response = client.post(f"/vmo/action-items/{item.id}/status/", {"status": "done"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="action-item-{item.id}" class="">')
    assert ">overdue<" not in html  # done items are not overdue
    item.refresh_from_db()
    assert item.status == "done"
    assert item.closed_at is not None


def test_owner_moves_their_items_status_but_not_others(client, vsm):
    mine = ActionItemFactory(owner=vsm)
    theirs = ActionItemFactory()
    client.force_login(vsm)

    allowed = client.post(f"/vmo/action-items/{mine.id}/status/", {"status": "in_progress"})
    denied = client.post(f"/vmo/action-items/{theirs.id}/status/", {"status": "done"})

    assert allowed.status_code == 302
    assert denied.status_code == 403
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("in_progress", "open")


def test_backlog_page_runs_a_constant_number_of_queries(client, executive, vsm, django_assert_num_queries):
    event = PlanningEventFactory()
    ActionItemFactory(owner=vsm, source_event=event)
    client.force_login(executive)
    client.get("/vmo/")
    # session, user, items, roles, user menu groups, owners + streams for the filter form and for the
    # quick-add form, events, the two horizons' counts (issue 20), and the count for the pages (issue 15)
    with django_assert_num_queries(12):
        client.get("/vmo/")
    ActionItemFactory.create_batch(125, owner=vsm, source_event=event, due=days(-1))
    with django_assert_num_queries(12):
        client.get("/vmo/?page=2")


# --- API -----------------------------------------------------------------------------------------


def test_api_lists_action_items_with_overdue_flag(api_as, executive):
    late = ActionItemFactory(title="Late", due=days(-1), rank=1)
    ActionItemFactory(title="Fine", due=days(1), rank=2)

    rows = api_as(executive).get("/api/action-items/").json()["results"]

    assert [(row["id"] == late.id, row["is_overdue"]) for row in rows] == [(True, True), (False, False)]
    assert [row["title"] for row in api_as(executive).get("/api/action-items/?overdue=true").json()["results"]] == [
        "Late"
    ]


def test_executive_creates_an_action_item_owned_by_themselves(api_as, executive):
    response = api_as(executive).post(
        "/api/action-items/", {"title": "Confirm budgets", "owner": executive.id, "priority": 1}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert ActionItem.objects.get().owner == executive


def test_vsm_cannot_create_action_items_through_the_api(api_as, vsm):
    response = api_as(vsm).post("/api/action-items/", {"title": "Nope"}, format="json")

    assert response.status_code == 403
    assert ActionItem.objects.count() == 0


def test_owner_may_only_change_the_status_through_the_api(api_as, vsm):
    item = ActionItemFactory(owner=vsm, title="Keep")

    status_change = api_as(vsm).patch(f"/api/action-items/{item.id}/", {"status": "done"}, format="json")
    retitle = api_as(vsm).patch(f"/api/action-items/{item.id}/", {"title": "Changed"}, format="json")

    assert status_change.status_code == 200
    assert retitle.status_code == 403
    item.refresh_from_db()
    assert (item.status, item.title) == ("done", "Keep")


def test_bad_action_item_input_is_a_400(api_as, director):
    response = api_as(director).post("/api/action-items/", {"title": "", "status": "someday"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"title", "status"}


def test_action_items_list_runs_a_constant_number_of_queries(api_as, executive, django_assert_num_queries):
    client = api_as(executive)
    ActionItemFactory.create_batch(2)
    with django_assert_num_queries(2):  # count, page
        client.get("/api/action-items/")
    ActionItemFactory.create_batch(30, source_event=PlanningEventFactory())
    with django_assert_num_queries(2):
        client.get("/api/action-items/")


def test_keeper_moves_an_item_up_with_htmx(client, program_manager):
    first = ActionItemFactory(title="First", rank=1)
    second = ActionItemFactory(title="Second", rank=2)
    client.force_login(program_manager)

    response = client.post(f"/vmo/action-items/{second.id}/move/", {"direction": "up"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="backlog">')
    assert html.index("Second") < html.index("First")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.rank, second.rank) == (2, 1)


def test_moving_the_top_item_up_changes_nothing(client, director):
    top = ActionItemFactory(rank=1)
    ActionItemFactory(rank=2)
    client.force_login(director)

    client.post(f"/vmo/action-items/{top.id}/move/", {"direction": "up"})

    assert list(ActionItem.objects.order_by("id").values_list("rank", flat=True)) == [1, 2]


def test_vsm_cannot_reorder_the_backlog(client, vsm):
    ActionItemFactory(rank=1)
    second = ActionItemFactory(rank=2, owner=vsm)
    client.force_login(vsm)

    response = client.post(f"/vmo/action-items/{second.id}/move/", {"direction": "up"})

    assert response.status_code == 403
    assert list(ActionItem.objects.order_by("id").values_list("rank", flat=True)) == [1, 2]


# --- paging (issue 15 point 8) --------------------------------------------------------------------


def _item_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="action-item-(\d+)"', html)]


def test_backlog_pages_by_50_in_backlog_order(client, executive):
    items = [ActionItemFactory(title=f"Item {n:03}", rank=n) for n in range(120)]
    client.force_login(executive)

    first = client.get("/vmo/").content.decode()
    third = client.get("/vmo/?page=3").content.decode()

    assert _item_ids(first) == [item.id for item in items[:50]]
    assert _item_ids(third) == [item.id for item in items[100:]]
    assert "Items 101 to 120 of 120" in third
    assert '<strong aria-current="page">3</strong>' in third
    # The horizons' counts cover every item, not only the page's.
    assert "<strong>120</strong> open" in third


def test_page_links_keep_the_filters(client, executive, vsm):
    for n in range(60):
        ActionItemFactory(title=f"Budget {n}", owner=vsm, rank=n)
    ActionItemFactory(title="Other")
    client.force_login(executive)

    html = client.get(f"/vmo/?q=budget&owner={vsm.id}").content.decode()

    assert len(_item_ids(html)) == 50
    assert f'<a href="?q=budget&amp;owner={vsm.id}&amp;page=2" rel="next">Next</a>' in html
    html = client.get(f"/vmo/?q=budget&owner={vsm.id}&page=2").content.decode()
    assert len(_item_ids(html)) == 10
    assert f'<a href="?q=budget&amp;owner={vsm.id}&amp;page=1" rel="prev">Previous</a>' in html


def test_one_page_shows_no_page_links(client, executive):
    ActionItemFactory.create_batch(3)
    client.force_login(executive)

    assert 'id="backlog-pages"' not in client.get("/vmo/").content.decode()


@pytest.mark.parametrize(("page", "shown"), [("0", 2), ("-1", 2), ("abc", 1), ("999", 2), ("%00", 1), ("9" * 400, 2)])
def test_an_odd_page_number_shows_the_first_or_last_page(client, executive, page, shown):
    ActionItemFactory.create_batch(60)
    client.force_login(executive)

    response = client.get(f"/vmo/?page={page}")

    assert response.status_code == 200
    assert f'<strong aria-current="page">{shown}</strong>' in response.content.decode()


def test_a_move_on_page_two_answers_page_two(client, director):
    items = [ActionItemFactory(title=f"Item {n:03}", rank=n) for n in range(60)]
    client.force_login(director)

    response = client.post(
        f"/vmo/action-items/{items[55].id}/move/?page=2", {"direction": "up"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert len(_item_ids(response.content.decode())) == 10
