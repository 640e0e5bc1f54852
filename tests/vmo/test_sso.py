"""Single sign-on (vmo/sso.py): roles from the claim at every login, the password switch, the
login page. The protocol itself is tested end to end against a real provider in
tests/vmo/test_sso_end_to_end.py; here the provider's answer (the userinfo claims) is given."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation

from portfolio import roles
from portfolio.models import SettingChange
from tests.factories import UserFactory
from vmo import sso

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_on(settings):
    settings.SSO_ENABLED = True
    settings.OIDC_ISSUER = ""
    settings.OIDC_RP_CLIENT_ID = "vmo"
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/jwks"
    settings.OIDC_ROLES_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = {
        "vmo-directors": "director",
        "vsm": "value_stream_manager",
        "execs": "Executive",
        "pmo": "program_manager",
    }
    sso._discovery_cache.clear()
    yield settings
    sso._discovery_cache.clear()


def login_with_claims(monkeypatch, claims):
    """The backend's part of a callback, after the token was verified: userinfo -> user."""
    backend = sso.OIDCBackend()
    monkeypatch.setattr(backend, "get_userinfo", lambda access_token, id_token, payload: claims)
    return backend.get_or_create_user("access", "id", {})


def role_names(user):
    return set(user.groups.values_list("name", flat=True))


def test_a_new_user_is_created_with_the_roles_of_the_claim(sso_on, monkeypatch):
    user = login_with_claims(
        monkeypatch,
        {"email": "ada@example.com", "preferred_username": "ada", "given_name": "Ada", "groups": ["vsm", "execs", "x"]},
    )

    assert (user.username, user.email, user.first_name) == ("ada", "ada@example.com", "Ada")
    assert not user.has_usable_password()
    assert role_names(user) == {roles.VALUE_STREAM_MANAGER, roles.EXECUTIVE}


def test_a_user_losing_a_group_loses_the_role_at_the_next_login(sso_on, monkeypatch):
    first = login_with_claims(monkeypatch, {"email": "ada@example.com", "groups": ["vmo-directors", "pmo"]})
    assert role_names(first) == {roles.DIRECTOR, roles.PROGRAM_MANAGER}

    again = login_with_claims(monkeypatch, {"email": "ADA@example.com", "groups": ["pmo"]})

    assert again.pk == first.pk
    assert role_names(again) == {roles.PROGRAM_MANAGER}
    change = SettingChange.objects.filter(kind="user", object_id=str(first.pk)).first()
    assert change.by_id == first.pk
    assert change.changes == {"roles": [[roles.PROGRAM_MANAGER, roles.DIRECTOR], [roles.PROGRAM_MANAGER]]}


def test_the_claim_wins_over_a_role_given_on_the_users_page(sso_on, monkeypatch):
    user = UserFactory(username="bob", email="bob@example.com", roles=[roles.DIRECTOR, roles.EXECUTIVE])
    other_group = Group.objects.create(name="Book club")
    user.groups.add(other_group)

    login_with_claims(monkeypatch, {"email": "bob@example.com", "groups": "execs, unknown"})

    # A group that is not a role is not the provider's business.
    assert role_names(user) == {roles.EXECUTIVE, "Book club"}


def test_a_claim_without_groups_leaves_no_role(sso_on, monkeypatch):
    user = UserFactory(username="cy", email="cy@example.com", roles=[roles.EXECUTIVE])

    login_with_claims(monkeypatch, {"email": "cy@example.com"})

    assert role_names(user) == set()


def test_a_deactivated_user_keeps_their_roles_and_is_not_logged_in(sso_on, monkeypatch, client):
    user = UserFactory(username="dee", email="dee@example.com", roles=[roles.EXECUTIVE], is_active=False)

    assert login_with_claims(monkeypatch, {"email": "dee@example.com", "groups": ["vmo-directors"]}).pk == user.pk
    assert role_names(user) == {roles.EXECUTIVE}


def test_the_role_claim_name_is_a_setting(sso_on, monkeypatch):
    sso_on.OIDC_ROLES_CLAIM = "roles"

    user = login_with_claims(monkeypatch, {"email": "e@example.com", "groups": ["pmo"], "roles": ["vsm"]})

    assert role_names(user) == {roles.VALUE_STREAM_MANAGER}


def test_a_taken_preferred_username_falls_back_to_a_hash(sso_on, monkeypatch):
    UserFactory(username="ada", email="someone-else@example.com")

    user = login_with_claims(monkeypatch, {"email": "ada@example.com", "preferred_username": "ada"})

    assert user.username != "ada"
    assert get_user_model().objects.filter(email="ada@example.com").count() == 1


def test_a_claim_without_email_is_refused(sso_on, monkeypatch):
    backend = sso.OIDCBackend()
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: {"preferred_username": "x", "groups": ["pmo"]})

    with pytest.raises(Exception, match="Claims verification failed"):
        backend.get_or_create_user("access", "id", {})
    assert not get_user_model().objects.filter(username="x").exists()


def test_an_unverified_email_logs_nobody_in_not_even_the_account_with_that_email(sso_on, monkeypatch):
    user = UserFactory(username="fay", email="fay@example.com", roles=[roles.DIRECTOR])
    backend = sso.OIDCBackend()
    claims = {"email": "fay@example.com", "email_verified": False, "groups": ["pmo"]}
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: claims)

    with pytest.raises(Exception, match="Claims verification failed"):
        backend.get_or_create_user("access", "id", {})
    assert role_names(user) == {roles.DIRECTOR}


def test_a_username_the_provider_spells_badly_falls_back_to_a_hash(sso_on, monkeypatch):
    user = login_with_claims(monkeypatch, {"email": "gus@example.com", "preferred_username": "Gus Smith"})

    assert " " not in user.username
    user.full_clean()


SECRET = "an-hs256-client-secret-of-32-bytes-at-least"


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"aud": "vmo", "iss": "https://idp.example"}, True),
        ({"aud": ["other", "vmo"], "iss": "https://idp.example/"}, True),
        ({"aud": "other", "iss": "https://idp.example"}, False),
        ({"iss": "https://idp.example"}, False),
        ({"aud": "vmo", "iss": "https://evil.example"}, False),
    ],
)
def test_an_id_token_for_another_client_or_from_another_issuer_is_refused(sso_on, claims, accepted):
    sso_on.OIDC_ISSUER = "https://idp.example"
    backend = sso.OIDCBackend()
    backend.OIDC_RP_SIGN_ALGO = "HS256"
    backend.OIDC_RP_CLIENT_SECRET = SECRET
    token = jwt.encode({**claims, "nonce": "n1", "sub": "1"}, SECRET, algorithm="HS256")

    if accepted:
        assert backend.verify_token(token, nonce="n1")["sub"] == "1"
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(token, nonce="n1")


def test_a_role_map_to_an_unknown_role_is_a_configuration_error(sso_on):
    sso_on.OIDC_ROLE_MAP = {"admins": "superuser"}

    with pytest.raises(ImproperlyConfigured, match="'admins' to 'superuser'"):
        sso.role_map()


# --- the login page and the password switch ----------------------------------------------------


def test_without_sso_the_login_page_has_no_sso_button_and_its_urls_are_404(client, settings):
    settings.SSO_ENABLED = False

    page = client.get("/login/").content.decode()

    assert "Log in with single sign-on" not in page
    assert 'name="password"' in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404


def test_with_sso_the_login_page_offers_both(client, sso_on):
    page = client.get("/login/?next=/okrs/").content.decode()

    assert 'href="/oidc/authenticate/?next=/okrs/"' in page
    assert "Log in with single sign-on" in page
    assert 'name="password"' in page


def test_the_sso_button_redirects_to_the_provider_with_pkce_and_a_state(client, sso_on):
    response = client.get("/oidc/authenticate/?next=/okrs/")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://idp.example/authorize"
    query = parse_qs(url.query)
    assert query["client_id"] == ["vmo"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] in client.session["oidc_states"]


def test_an_unreachable_provider_is_a_message_on_the_login_page(client, sso_on):
    sso_on.OIDC_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing answers
    sso_on.OIDC_OP_AUTHORIZATION_ENDPOINT = ""

    response = client.get("/oidc/authenticate/", follow=True)

    assert response.redirect_chain == [("/login/", 302)]
    assert "The single sign-on provider cannot be reached" in response.content.decode()


def test_a_callback_with_an_unknown_state_logs_nobody_in(client, sso_on):
    client.get("/oidc/authenticate/")

    response = client.get("/oidc/callback/?code=abc&state=forged", follow=True)

    assert response.redirect_chain == [("/login/", 302)]
    assert "Single sign-on did not log you in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_login_works_while_it_is_on(client, sso_on, executive):
    response = client.post("/login/", {"username": "eve_exec", "password": "pw"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(executive.pk)


def test_password_login_turned_off_is_refused(client, sso_on, executive):
    sso_on.PASSWORD_LOGIN = False
    last_login = executive.last_login

    page = client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "eve_exec", "password": "pw"})

    assert 'name="password"' not in page
    assert "Log in with single sign-on" in page
    assert response.status_code == 403
    assert "Password login is turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    executive.refresh_from_db()
    assert executive.last_login == last_login


def test_password_login_turned_off_is_refused_by_the_admin_too(client, sso_on, director):
    sso_on.PASSWORD_LOGIN = False
    director.is_staff = True
    director.save()

    response = client.post("/admin/login/", {"username": "dora_director", "password": "pw"})

    assert response.status_code == 200  # the admin's form again, with its error
    assert "_auth_user_id" not in client.session


def test_the_users_page_says_the_claim_wins_while_sso_is_on(client, settings, director):
    client.force_login(director)
    settings.SSO_ENABLED = False
    assert 'id="sso-roles-note"' not in client.get("/settings/users/").content.decode()

    settings.SSO_ENABLED = True
    page = client.get("/settings/users/").content.decode()

    assert 'id="sso-roles-note"' in page
    assert "a role changed here lasts only until that user's next login" in page


def test_the_system_checks_report_a_wrong_role_map_and_a_login_nobody_can_use(settings):
    from vmo.checks import sso_settings_check

    settings.SSO_ENABLED = False
    settings.PASSWORD_LOGIN = True
    settings.OIDC_ROLE_MAP = {}
    assert sso_settings_check(None) == []

    settings.OIDC_ROLE_MAP = {"admins": "root"}
    settings.PASSWORD_LOGIN = False
    assert [problem.id for problem in sso_settings_check(None)] == ["vmo.E001", "vmo.E002"]

    settings.SSO_ENABLED = True
    settings.OIDC_ROLE_MAP = {}
    assert [problem.id for problem in sso_settings_check(None)] == ["vmo.W001"]


def test_a_user_s_edit_page_says_the_claim_wins_while_sso_is_on(client, settings, director, executive):
    client.force_login(director)
    settings.SSO_ENABLED = False
    assert 'id="settings-note"' not in client.get(f"/settings/users/{executive.pk}/").content.decode()

    settings.SSO_ENABLED = True
    page = client.get(f"/settings/users/{executive.pk}/").content.decode()

    assert "a role changed here lasts only until their next login" in page
