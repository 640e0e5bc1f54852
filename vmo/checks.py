"""System checks of the single sign-on settings: a wrong role map or a login nobody can use is
reported when the server starts, not at the first user's login."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from vmo.sso import password_login_enabled, role_map, sso_enabled


@register()
def sso_settings_check(app_configs, **kwargs):
    problems = []
    try:
        role_map()
    except ImproperlyConfigured as exc:
        problems.append(Error(str(exc), id="vmo.E001"))
    if not password_login_enabled() and not sso_enabled():
        problems.append(
            Error(
                "PASSWORD_LOGIN is off but single sign-on is not configured: nobody can log in.",
                hint="Set OIDC_ISSUER (or the endpoints) and OIDC_CLIENT_ID, or PASSWORD_LOGIN=true.",
                id="vmo.E002",
            )
        )
    if sso_enabled() and not settings.OIDC_ROLE_MAP:
        problems.append(
            Warning(
                "Single sign-on is on but OIDC_ROLE_MAP is empty: every login removes the user's roles.",
                id="vmo.W001",
            )
        )
    return problems
