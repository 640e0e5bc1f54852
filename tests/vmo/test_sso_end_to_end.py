"""Single sign-on end to end: the real authorization-code flow against a real OpenID Connect
provider (django-oauth-toolkit, tests/oidc_provider/) running in a second process.

The product runs on live_server; a `requests` session with a cookie jar plays the browser
across both servers: the SSO button, the provider's login form, the redirect back with a code,
the product's token exchange (PKCE, RS256 id_token checked against the provider's JWKS) and
userinfo call, and the roles from the `groups` claim."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from portfolio import roles
from vmo import sso

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
# The ports this suite may use for local OIDC providers.
PROVIDER_PORTS = range(18090, 18100)
CLIENT_ID = "vmo-e2e"
CLIENT_SECRET = "e2e-client-secret"


def free_port() -> int:
    for port in PROVIDER_PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PROVIDER_PORTS}")


class Provider:
    """The provider process: its environment, its seed command, its issuer."""

    def __init__(self, tmp_path: Path, port: int):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.issuer = f"http://127.0.0.1:{port}/o"
        self.port = port
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "idp.settings",
            "IDP_DB": str(tmp_path / "idp.sqlite3"),
            "IDP_ISSUER": self.issuer,
            "IDP_RSA_PRIVATE_KEY": pem,
            "PYTHONUNBUFFERED": "1",
        }
        self.process = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROVIDER_DIR, env=self.env, check=True, capture_output=True
        )

    def seed(self, *, redirect_uri: str, groups: list[str]) -> None:
        self.manage(
            "idp_seed",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--redirect-uri={redirect_uri}",
            "--username=ada",
            "--password=ada-password",
            "--email=ada@example.com",
            f"--groups={','.join(groups)}",
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=PROVIDER_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        # runserver prints this line (stdout, unbuffered) just before it binds: block on the
        # pipe until then, instead of sleeping. Its request log goes to stderr, not this pipe.
        for line in self.process.stdout:
            if "Quit the server" in line:
                break
        else:
            pytest.fail(f"the OIDC provider exited with {self.process.wait()}")
        # Ready when the discovery document answers (the bind follows within moments).
        deadline = time.monotonic() + 30
        discovery = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            try:
                if requests.get(discovery, timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OIDC provider did not answer {discovery}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def provider(tmp_path):
    provider = Provider(tmp_path, free_port())
    provider.manage("migrate", "--no-input")
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(settings, provider, live_server):
    settings.SSO_ENABLED = True
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    for name in sso.DISCOVERED:
        setattr(settings, name, "")  # every endpoint from the discovery document
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_ROLES_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = {"vmo-directors": "director", "pmo": "program_manager"}
    sso._discovery_cache.clear()
    yield settings
    sso._discovery_cache.clear()


def sso_login(base_url: str) -> requests.Response:
    """A fresh browser: the SSO button, the provider's login form, and back."""
    browser = requests.Session()
    login_form = browser.get(f"{base_url}/oidc/authenticate/?next=/okrs/", timeout=30)
    assert login_form.url.startswith("http://127.0.0.1:"), login_form.url  # at the provider now
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_form.text).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', login_form.text).group(1).replace("&amp;", "&")
    answer = browser.post(
        login_form.url,
        data={"csrfmiddlewaretoken": token, "username": "ada", "password": "ada-password", "next": next_url},
        timeout=30,
    )
    answer.raise_for_status()
    return answer


@pytest.mark.timeout(180)
def test_single_sign_on_against_a_real_provider_maps_roles_at_every_login(provider, sso_settings, live_server):
    callback = f"{live_server.url}/oidc/callback/"
    provider.seed(redirect_uri=callback, groups=["vmo-directors", "pmo", "book-club"])
    provider.start()

    first = sso_login(live_server.url)

    # Logged in: the login-required page itself, not the login page it would redirect to.
    assert (first.status_code, first.url) == (200, f"{live_server.url}/okrs/")
    assert [r.url.split("?")[0] for r in first.history][-1] == callback
    user = get_user_model().objects.get(email="ada@example.com")
    assert user.username == "ada"
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {roles.DIRECTOR, roles.PROGRAM_MANAGER}

    # The provider takes the directors group away: the role goes at the next login.
    provider.seed(redirect_uri=callback, groups=["pmo"])
    second = sso_login(live_server.url)

    assert (second.status_code, second.url) == (200, f"{live_server.url}/okrs/")
    assert get_user_model().objects.filter(email="ada@example.com").count() == 1
    assert set(user.groups.values_list("name", flat=True)) == {roles.PROGRAM_MANAGER}
