"""The settings switch on the environment: embedded defaults, PostgreSQL, Redis, production."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "options": db.get("OPTIONS", {}),
    "health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "hashers": settings.PASSWORD_HASHERS[:1],
    "debug": settings.DEBUG,
}))
"""


def run_settings(module: str, **env) -> subprocess.CompletedProcess:
    # A clean environment: nothing from the test run (DATABASE_URL, REDIS_URL) leaks in.
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DJANGO_SETTINGS_MODULE": module}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def probe(module: str, **env) -> dict:
    result = run_settings(module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_means_sqlite_with_wal_and_in_process_tasks():
    config = probe("config.settings.dev")

    assert config["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["options"]["init_command"]
    assert "busy_timeout=5000" in config["options"]["init_command"]
    assert config["options"]["transaction_mode"] == "IMMEDIATE"
    assert config["eager"] is True
    assert config["broker"] == "memory://"
    assert config["hashers"] == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_database_url_switches_to_postgresql_with_health_checks():
    config = probe("config.settings.dev", DATABASE_URL="postgres://u:p@db.example:5432/vmo")

    assert config["engine"] == "django.db.backends.postgresql"
    assert config["health_checks"] is True
    assert config["options"] == {}


def test_redis_url_sets_the_broker_with_short_socket_timeouts():
    config = probe("config.settings.dev", REDIS_URL="redis://127.0.0.1:6399/0")

    assert config["broker"] == "redis://127.0.0.1:6399/0"
    assert config["eager"] is False
    assert config["transport"]["socket_timeout"] == 1
    assert config["transport"]["socket_connect_timeout"] == 1


@pytest.mark.parametrize(
    ("_case", "env"),
    [
        ("no secret key", {"ALLOWED_HOSTS": "vmo.example.org"}),
        ("no allowed hosts", {"SECRET_KEY": secrets.token_urlsafe(64)}),
        ("short secret key", {"SECRET_KEY": "short", "ALLOWED_HOSTS": "vmo.example.org"}),
    ],
)
def test_production_refuses_to_start_without_its_secrets(_case, env):
    result = run_settings("config.settings.prod", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_pass_the_deploy_check_at_warning_level():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vmo.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
