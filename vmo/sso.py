"""Single sign-on with OpenID Connect (mozilla-django-oidc), and the password switch.

The settings (config/settings/base.py, README "Settings") name the provider by its issuer, whose
discovery document gives the endpoints, or by the endpoints themselves. At every login the
roles claim (OIDC_ROLES_CLAIM) is mapped through OIDC_ROLE_MAP to the four roles and replaces
the user's roles (`vmo.services.users.user_roles_from_sso`): while SSO is on the provider wins
over the users page.

Users are matched by e-mail (case-insensitive, mozilla-django-oidc's rule), so a user a director
added on the users page signs in to that account; a user matched by nobody is created.
"""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portfolio import roles
from vmo.services.users import user_roles_from_sso

logger = logging.getLogger(__name__)

# The short names OIDC_ROLE_MAP may use for the four roles (the full group names work too).
ROLE_KEYS = {
    "director": roles.DIRECTOR,
    "value_stream_manager": roles.VALUE_STREAM_MANAGER,
    "executive": roles.EXECUTIVE,
    "program_manager": roles.PROGRAM_MANAGER,
}

# Settings name -> the discovery document's key, for endpoints not set explicitly.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

# issuer -> discovery document. Endpoints of a provider do not move while we run; the signing
# keys may rotate, and mozilla-django-oidc fetches the JWKS at every login anyway.
_discovery_cache: dict[str, dict] = {}


class ProviderUnavailable(Exception):
    """The identity provider's discovery document could not be read."""


def sso_enabled() -> bool:
    return bool(getattr(settings, "SSO_ENABLED", False))


def password_login_enabled() -> bool:
    return bool(getattr(settings, "PASSWORD_LOGIN", True))


def role_map() -> dict[str, str]:
    """OIDC_ROLE_MAP with every value resolved to a role group name."""
    resolved = {}
    for claim_value, role in getattr(settings, "OIDC_ROLE_MAP", {}).items():
        name = ROLE_KEYS.get(role.strip(), role.strip())
        if name not in roles.ALL_ROLES:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP maps {claim_value!r} to {role!r}, which is none of {', '.join(ROLE_KEYS)}."
            )
        resolved[claim_value.strip()] = name
    return resolved


def roles_from_claims(claims: dict) -> set[str]:
    """The roles the claims give: the roles claim is a list, or one string of values separated
    by spaces or commas (providers differ); values not in the map give no role."""
    value = claims.get(getattr(settings, "OIDC_ROLES_CLAIM", "groups"))
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        return set()
    mapping = role_map()
    return {mapping[v] for v in value if isinstance(v, str) and v in mapping}


def discovery() -> dict:
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return {}
    if issuer not in _discovery_cache:
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {exc}") from exc
        _discovery_cache[issuer] = document
    return _discovery_cache[issuer]


def op_setting(attr, *default):
    """A mozilla-django-oidc setting, endpoints filled in from the issuer's discovery document."""
    if attr in DISCOVERED and not getattr(settings, attr, ""):
        return discovery().get(DISCOVERED[attr], "")
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def username_for(email, claims):
    """The provider's preferred_username when it is free, else mozilla-django-oidc's hash."""
    preferred = (claims or {}).get("preferred_username") or ""
    User = get_user_model()
    try:
        User.username_validator(preferred)
    except ValidationError:
        preferred = ""
    if preferred and len(preferred) <= 150 and not User.objects.filter(username=preferred).exists():
        return preferred
    return default_username_algo(email, claims)


class PasswordBackend(ModelBackend):
    """Django's username and password login, refused while PASSWORD_LOGIN is off."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not password_login_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class OIDCBackend(OIDCAuthenticationBackend):
    """Logs in the user of an OpenID Connect callback and applies their roles from the claim.

    Configured lazily: the backend is also loaded for every session's user, and must neither
    fail when SSO is off nor fetch the discovery document for a page view.
    """

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    get_settings = staticmethod(op_setting)

    def authenticate(self, request, **kwargs):
        if not sso_enabled() or request is None or "code" not in request.GET:
            return None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = op_setting("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = op_setting("OIDC_OP_USER_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = op_setting("OIDC_OP_JWKS_ENDPOINT") or None
        except ProviderUnavailable as exc:
            logger.warning("single sign-on: provider unavailable: %s", exc)
            return None
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            # A refused code or an unreachable provider is a failed login, not a 500.
            logger.warning("single sign-on: token or userinfo request failed: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        """The signature and nonce (mozilla-django-oidc), then the audience and the issuer, which
        it leaves out and OpenID Connect Core 3.1.3.7 asks of every client."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or ())
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id token was not issued for this client.")
        if settings.OIDC_ISSUER and payload.get("iss", "").rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("The id token comes from another issuer.")
        return payload

    def verify_claims(self, claims):
        # Accounts are matched by e-mail: an address the provider says it has not verified could
        # be anyone's, so it logs nobody in. Providers that send no email_verified are trusted.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def get_username(self, claims):
        return username_for(claims.get("email"), claims)

    def create_user(self, claims):
        user = self.UserModel(
            username=self.get_username(claims),
            email=claims["email"],
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )
        # They sign in through the provider; a password is set only if a director gives one.
        user.set_unusable_password()
        user.save()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        if not user.is_active:
            # A director deactivated them: no login, and no role change from the claim either.
            return user
        return user_roles_from_sso(target=user, roles=roles_from_claims(claims))


class SSOAuthenticateView(OIDCAuthenticationRequestView):
    """Starts the authorization-code flow: redirects to the provider (404 while SSO is off)."""

    def __init__(self, *args, **kwargs):
        # The parent reads the endpoint here; we read it per request, after the on/off check.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    get_settings = staticmethod(op_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = op_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            logger.warning("single sign-on: provider unavailable: %s", exc)
            messages.error(request, "The single sign-on provider cannot be reached. Try again later.")
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: logs the user in, or back to the login page with a message."""

    get_settings = staticmethod(op_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # An unknown state (a replayed or forged callback) or a token that fails to verify.
            logger.warning("single sign-on: callback refused: %s", exc)
            self.user = None
            return self.login_failure()

    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE)

    def login_failure(self):
        messages.error(self.request, "Single sign-on did not log you in. Try again, or ask a director.")
        return super().login_failure()
