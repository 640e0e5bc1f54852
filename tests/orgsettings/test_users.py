"""Users and their roles on /settings/users/ and /api/users/: directors only, audited."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from portfolio import roles
from portfolio.models import SettingChange
from tests.factories import UserFactory
from vmo.services.users import user_save

NON_DIRECTORS = ["vsm", "executive", "program_manager"]
User = get_user_model()

pytestmark = pytest.mark.django_db


def _roles(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_a_director_adds_a_user_with_roles_and_it_is_audited(client, director):
    client.force_login(director)
    data = {"username": "nina", "first_name": "Nina", "email": "nina@example.org", "roles": [roles.EXECUTIVE]}
    response = client.post("/settings/users/", {**data, "is_active": "on"})
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (_roles(nina), nina.is_active, nina.has_usable_password()) == ([roles.EXECUTIVE], True, False)
    change = SettingChange.objects.get()
    assert (change.kind, change.action, change.by) == ("user", "create", director)
    assert change.changes["roles"] == [None, [roles.EXECUTIVE]]


def test_a_director_changes_roles_and_deactivates_a_user_with_the_audit_saying_old_and_new(client, director, vsm):
    client.force_login(director)
    data = {"username": "val_vsm", "email": "val_vsm@example.org", "roles": [roles.DIRECTOR, roles.PROGRAM_MANAGER]}
    assert client.post(f"/settings/users/{vsm.id}/", data).status_code == 302  # is_active unticked
    vsm.refresh_from_db()
    assert (_roles(vsm), vsm.is_active) == (sorted([roles.DIRECTOR, roles.PROGRAM_MANAGER]), False)
    change = SettingChange.objects.get()
    assert change.changes == {
        "is_active": [True, False],
        "roles": [[roles.VALUE_STREAM_MANAGER], sorted([roles.DIRECTOR, roles.PROGRAM_MANAGER])],
    }


def test_a_director_cannot_take_away_their_own_director_role_nor_deactivate_themselves(director):
    with pytest.raises(ValidationError):
        user_save(user=director, target=director, roles=[roles.EXECUTIVE])
    with pytest.raises(ValidationError):
        user_save(user=director, target=director, is_active=False)
    director.refresh_from_db()
    assert (_roles(director), director.is_active) == ([roles.DIRECTOR], True)
    assert SettingChange.objects.count() == 0


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_users_on_pages_and_api_and_nothing_changes(
    client, api_as, request, persona, director
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/settings/users/").status_code == 403
    grab = {"username": user.username, "roles": [roles.DIRECTOR], "is_active": "on"}
    assert client.post(f"/settings/users/{user.id}/", grab).status_code == 403
    assert client.post("/settings/users/", {"username": "sneaky", "roles": [roles.DIRECTOR]}).status_code == 403
    api = api_as(user)
    assert api.get("/api/users/").status_code == 403
    assert api.patch(f"/api/users/{user.id}/", {"roles": [roles.DIRECTOR]}, format="json").status_code == 403
    assert api.patch(f"/api/users/{director.id}/", {"is_active": False}, format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        user_save(user=user, target=user, roles=[roles.DIRECTOR])
    user.refresh_from_db()
    director.refresh_from_db()
    assert roles.DIRECTOR not in _roles(user)
    assert director.is_active is True
    assert not User.objects.filter(username="sneaky").exists()
    assert SettingChange.objects.count() == 0


def test_the_api_lists_creates_and_changes_users_with_roles(api_as, director, vsm):
    api = api_as(director)
    created = api.post("/api/users/", {"username": "nina", "roles": [roles.EXECUTIVE]}, format="json")
    assert created.status_code == 201
    assert created.json()["roles"] == [roles.EXECUTIVE]
    changed = api.patch(f"/api/users/{vsm.id}/", {"roles": [roles.EXECUTIVE, roles.PROGRAM_MANAGER]}, format="json")
    assert changed.status_code == 200
    assert changed.json()["roles"] == sorted([roles.EXECUTIVE, roles.PROGRAM_MANAGER])
    bad = api.patch(f"/api/users/{vsm.id}/", {"roles": ["Emperor"]}, format="json")
    assert bad.status_code == 400
    listed = api.get("/api/users/").json()["results"]
    assert [row["username"] for row in listed] == ["dora_director", "nina", "val_vsm"]
    assert SettingChange.objects.count() == 2


@pytest.mark.parametrize("count", [2, 30])
def test_the_users_page_has_a_constant_query_count(client, director, django_assert_num_queries, count):
    for _ in range(count):
        UserFactory(roles=[roles.EXECUTIVE])
    client.force_login(director)
    # session, user, groups (role check), users, their groups, the user menu's groups
    with django_assert_num_queries(6):
        assert client.get("/settings/users/").status_code == 200
