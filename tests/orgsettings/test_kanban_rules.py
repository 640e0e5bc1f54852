"""WIP limits and entry-policy options on /settings/kanban/ and the API: directors only, audited,
and the move service obeys them."""

import pytest
from django.core.exceptions import PermissionDenied

from kanban.models import EntryPolicyOption, Transition, WipLimit
from kanban.policies import entry_policy_set, wip_limit_set
from kanban.services import MoveRefused, epic_move
from portfolio.models import SettingChange
from tests.factories import EpicFactory, ValueStreamFactory, WipLimitFactory

NON_DIRECTORS = ["vsm", "executive", "program_manager"]

pytestmark = pytest.mark.django_db


def test_a_director_sets_changes_and_removes_a_wip_limit_on_the_page_each_audited(client, director, value_stream):
    client.force_login(director)
    post = {"form": "wip", "state": "implementing", "value_stream": value_stream.id, "limit": "3"}
    assert client.post("/settings/kanban/", post).status_code == 302
    assert client.post("/settings/kanban/", {**post, "limit": "5"}).status_code == 302
    assert list(WipLimit.objects.values_list("state", "value_stream_id", "limit")) == [
        ("implementing", value_stream.id, 5)
    ]
    assert client.post("/settings/kanban/", {**post, "limit": ""}).status_code == 302
    assert WipLimit.objects.count() == 0
    rows = list(SettingChange.objects.order_by("id").values_list("kind", "action", "changes", "by"))
    assert rows == [
        ("WIP limit", "create", {"limit": [None, 3]}, director.id),
        ("WIP limit", "update", {"limit": [3, 5]}, director.id),
        ("WIP limit", "delete", {"limit": [5, None]}, director.id),
    ]


def test_a_wip_limit_below_one_is_refused_on_the_page(client, director):
    client.force_login(director)
    response = client.post("/settings/kanban/", {"form": "wip", "state": "implementing", "limit": "0"})
    assert response.status_code == 400
    assert WipLimit.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_switching_off_an_entry_check_lets_a_move_skip_it_and_is_audited(client, director, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, owner=None, hypothesis_for="retail customers")
    client.force_login(director)
    ticks = {"form": "policy", "reviewing__hypothesis": "on", "analyzing__wsjf": "on", "backlog__business_case": "on"}
    ticks |= {"backlog__mvp": "on", "backlog__cost_estimate": "on", "backlog__go_decision": "on"}
    assert client.post("/settings/kanban/", ticks).status_code == 302  # reviewing__owner unticked
    assert list(EntryPolicyOption.objects.values_list("state", "entry_check", "required")) == [
        ("reviewing", "owner", False)
    ]
    change = SettingChange.objects.get()
    assert (change.kind, change.changes) == ("entry policy", {"required": [True, False]})

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1)
    # The owner is no longer asked for; the hypothesis statement still is.
    assert caught.value.conditions == [
        "Reviewing needs the epic hypothesis statement (missing: who, the, is a, that, unlike, our solution).",
    ]


def test_a_wip_limit_set_in_settings_stops_a_move(director, vsm, value_stream):
    wip_limit_set(user=director, state="reviewing", limit=1, value_stream=value_stream)
    EpicFactory(value_stream=value_stream, state="reviewing")
    entry_policy_set(user=director, state="reviewing", check="owner", required=False)
    entry_policy_set(user=director, state="reviewing", check="hypothesis", required=False)
    epic = EpicFactory(value_stream=value_stream)
    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1)
    assert caught.value.conditions == ["Reviewing is at its WIP limit in this value stream (1 of 1)."]
    assert Transition.objects.count() == 0


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_the_kanban_rules_and_nothing_changes(client, api_as, request, persona):
    user = request.getfixturevalue(persona)
    limit = WipLimitFactory(state="implementing", limit=4)
    client.force_login(user)
    assert client.get("/settings/kanban/").status_code == 403
    assert client.post("/settings/kanban/", {"form": "wip", "state": "implementing", "limit": "9"}).status_code == 403
    assert client.post("/settings/kanban/", {"form": "policy"}).status_code == 403
    api = api_as(user)
    assert api.post("/api/wip-limits/", {"state": "analyzing", "limit": 2}, format="json").status_code == 403
    assert api.patch(f"/api/wip-limits/{limit.id}/", {"limit": 9}, format="json").status_code == 403
    assert api.delete(f"/api/wip-limits/{limit.id}/").status_code == 403
    body = {"state": "reviewing", "check": "owner", "required": False}
    assert api.post("/api/entry-policies/", body, format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        wip_limit_set(user=user, state="implementing", limit=9)
    with pytest.raises(PermissionDenied):
        entry_policy_set(user=user, state="reviewing", check="owner", required=False)
    assert list(WipLimit.objects.values_list("state", "limit")) == [("implementing", 4)]
    assert EntryPolicyOption.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_the_api_sets_and_lists_wip_limits_and_entry_policies(api_as, director):
    api = api_as(director)
    response = api.post("/api/wip-limits/", {"state": "implementing", "limit": 6}, format="json")
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "state": "implementing", "value_stream": None, "limit": 6}
    again = api.post("/api/wip-limits/", {"state": "implementing", "limit": 7}, format="json")
    assert again.json()["id"] == response.json()["id"]
    assert api.get("/api/wip-limits/").json() == [again.json()]
    body = {"state": "backlog", "check": "mvp", "required": False}
    answer = api.post("/api/entry-policies/", body, format="json")
    assert answer.status_code == 200
    assert answer.json() == {**body, "label": "An MVP definition"}
    listed = api.get("/api/entry-policies/").json()
    assert len(listed) == 7
    assert [row for row in listed if not row["required"]] == [answer.json()]
    mismatched = api.post(
        "/api/entry-policies/", {"state": "reviewing", "check": "mvp", "required": False}, format="json"
    )
    assert mismatched.status_code == 400
    assert SettingChange.objects.count() == 3


@pytest.mark.parametrize("count", [1, 20])
def test_the_kanban_rules_page_has_a_constant_query_count(client, director, django_assert_num_queries, count):
    for _ in range(count):
        WipLimitFactory(state="implementing", value_stream=ValueStreamFactory(), limit=3)
    client.force_login(director)
    # session, user, groups (role check), entry options, limits with their streams, the form's
    # stream choices, the user menu's groups
    with django_assert_num_queries(7):
        assert client.get("/settings/kanban/").status_code == 200
