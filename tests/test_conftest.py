"""The suite's own guard: a test marked for a service that is missing skips, or fails naming the
service under REQUIRE_SERVICES=1 (CI), so CI never passes by skipping what it must run.

Each case runs pytest in a subprocess on a small generated test file, with no PostgreSQL, no Redis
and no chromium, and reads its report.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

NEEDS_SERVICES = """
import pytest


@pytest.fixture(scope="session")
def browser_session():
    # Stands in for Playwright's session-scoped browser: the guard must act before it is set up.
    raise AssertionError("a session fixture ran before the guard")


def test_plain():
    pass


@pytest.mark.postgres
def test_needs_postgres():
    pass


@pytest.mark.broker
def test_needs_broker():
    pass


@pytest.mark.e2e
def test_needs_chromium(browser_session):
    pass
"""


def run_pytest(tmp_path: Path, *, require_services: bool) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_setup  # noqa: F401\n")
    (tmp_path / "test_needs_services.py").write_text(textwrap.dedent(NEEDS_SERVICES))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CHROMIUM_PATH": str(tmp_path / "no-chromium"),
        "REQUIRE_SERVICES": "1" if require_services else "",
        "COLUMNS": "300",  # the short summary keeps each message whole
    }
    options = ["-p", "no:cacheprovider", "-p", "no:randomly", "-rfEs", "-q", "--rootdir", str(tmp_path)]
    options += ["-W", "ignore::pytest.PytestUnknownMarkWarning"]  # the project's markers are not registered here
    return subprocess.run(
        [sys.executable, "-m", "pytest", *options, str(tmp_path / "test_needs_services.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_require_services_a_test_whose_service_is_missing_fails_naming_it(tmp_path):
    result = run_pytest(tmp_path, require_services=True)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 3 errors in" in result.stdout
    assert "a session fixture ran before the guard" not in result.stdout
    for line in (
        "REQUIRE_SERVICES=1 but the postgres service is missing: this test needs PostgreSQL",
        "REQUIRE_SERVICES=1 but the broker service is missing: this test needs Redis",
        "REQUIRE_SERVICES=1 but the e2e service is missing: this test needs Debian's chromium",
    ):
        assert line in result.stdout


def test_without_require_services_a_test_whose_service_is_missing_skips(tmp_path):
    result = run_pytest(tmp_path, require_services=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 3 skipped in" in result.stdout
    assert "a session fixture ran before the guard" not in result.stdout
    for reason in ("needs PostgreSQL", "needs Redis and a Celery worker", "needs Debian's chromium"):
        assert reason in result.stdout
