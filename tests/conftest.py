"""Shared fixtures: the personas of DESIGN.md section 6, API clients, and service markers.

Personas (as in healthchecks' alice/bob/charlie): `director`, `vsm` who manages `value_stream`,
`other_vsm` who manages `other_value_stream`, `executive`, `program_manager`.

Quarters: `quarter` (2026-Q3), `previous_quarter` (2026-Q2), `quarters` (both), and
`current_quarter` (the one containing today).

Transactional tests need nothing special: the rows of the data migrations (role groups, DORA
benchmarks) are restored after each one's flush, below.

Tests that need a real service carry a marker. Without the service they skip, unless
REQUIRE_SERVICES=1 (CI), where they fail: CI must never pass by skipping them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio import roles
from tests.factories import QuarterFactory, UserFactory, ValueStreamFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing_service(marker_name: str) -> str:
    if marker_name == "postgres" and not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if marker_name == "broker" and not settings.REDIS_URL:
        return "needs Redis and a Celery worker (set REDIS_URL)"
    if marker_name == "e2e" and not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}"
    return ""


SERVICE_MARKERS = ("postgres", "broker", "e2e")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip a test whose service (marker `postgres`, `broker` or `e2e`) is missing, or fail it
    naming the service when REQUIRE_SERVICES=1 (CI), so CI never passes by skipping.

    A setup hook, not a marker added at collection (pytest has chosen each test's fixtures by
    then, so a `usefixtures` added in `pytest_collection_modifyitems` is never applied) nor an
    autouse fixture (session fixtures such as Playwright's browser are set up before it and
    would fail on the missing service first, with a less clear message)."""
    for marker_name in SERVICE_MARKERS:
        if item.get_closest_marker(marker_name) is None:
            continue
        reason = _missing_service(marker_name)
        if not reason:
            continue
        if REQUIRE_SERVICES:
            message = f"REQUIRE_SERVICES=1 but the {marker_name} service is missing: this test {reason}"
            pytest.fail(message, pytrace=False)
        pytest.skip(reason)


# --- personas ---------------------------------------------------------------------------------


@pytest.fixture
def director(db):
    return UserFactory(username="dora_director", roles=[roles.DIRECTOR])


@pytest.fixture
def vsm(db):
    return UserFactory(username="val_vsm", roles=[roles.VALUE_STREAM_MANAGER])


@pytest.fixture
def other_vsm(db):
    return UserFactory(username="otto_vsm", roles=[roles.VALUE_STREAM_MANAGER])


@pytest.fixture
def executive(db):
    return UserFactory(username="eve_exec", roles=[roles.EXECUTIVE])


@pytest.fixture
def program_manager(db):
    return UserFactory(username="pam_pm", roles=[roles.PROGRAM_MANAGER])


@pytest.fixture
def value_stream(vsm):
    return ValueStreamFactory(name="Payments", slug="payments", managers=[vsm])


@pytest.fixture
def other_value_stream(other_vsm):
    return ValueStreamFactory(name="Onboarding", slug="onboarding", managers=[other_vsm])


# --- quarters ------------------------------------------------------------------------------------


@pytest.fixture
def quarter(request, db):
    """2026-Q3 (1 July to 30 September 2026), the quarter most tests plan, fund and measure in.

    A module about another quarter names it by code, dates following from it:
    `pytest.mark.parametrize("quarter", ["2026-Q1"], indirect=True)`."""
    return QuarterFactory(code=getattr(request, "param", "2026-Q3"))


@pytest.fixture
def previous_quarter(db):
    """2026-Q2, the quarter before 2026-Q3."""
    return QuarterFactory(code="2026-Q2")


@pytest.fixture
def quarters(previous_quarter, quarter):
    """(2026-Q2, 2026-Q3): last quarter and this one."""
    return previous_quarter, quarter


@pytest.fixture
def current_quarter(db):
    """The quarter containing today, active: for pages and tasks that default to today's quarter."""
    today = timezone.localdate()
    return QuarterFactory(code=f"{today.year}-Q{(today.month - 1) // 3 + 1}", status="active")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """`api_as(user)` gives an APIClient authenticated as that user (None: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


# --- Playwright: Debian's chromium, never a downloaded browser --------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


# --- the real broker ---------------------------------------------------------------------------


@pytest.fixture
def real_broker():
    """Send tasks through Redis to the running worker instead of executing them in-process.

    The worker reads the test database, so a test using this must commit its data
    (`transactional_db`), not hide it in the test's transaction.
    """
    from config.celery import app
    from core.publish import wait_sent

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield app
        # Let the worker finish what the test set off before the test's tables are flushed: a
        # write's nudge (a drain) or a rollup's follow-up (the forecasts) still running met the
        # flush's TRUNCATE in a deadlock, or wrote a forecast for a stream the flush had removed.
        # The solo worker runs tasks in order, so once a ping sent after them answers they are
        # done; twice, for a task that a running one queues behind the first ping.
        wait_sent(timeout=30)
        for _ in range(2):
            app.send_task("config.ping", kwargs={"value": 1}).get(timeout=60)
    finally:
        app.conf.task_always_eager = previous


# --- rows of the data migrations ---------------------------------------------------------------
# A transactional test (`django_db(transaction=True)`, `transactional_db`, `live_server`) ends with
# a flush of every table. Django's post_migrate signal brings content types and permissions back,
# but not the rows our data migrations wrote: the role groups (`vmo.roles`) and the DORA benchmarks
# (portfolio 0003, with 0007's deployment-day thresholds). They are put back here, and only here,
# so tests never restore them themselves and pass in any order.

_FLUSH_PENDING = pytest.StashKey[object]()


def _migrated_data_restore() -> None:
    """Write the rows of the data migrations again, as the migrations define them (idempotent)."""
    import importlib

    from django.apps import apps

    from vmo.roles import role_groups_ensure

    role_groups_ensure()
    # Every data migration that writes the benchmark rows, in migration order: 0003 alone left the
    # deployment-day thresholds empty, so after any flush every stream graded "elite" and the
    # DORA tests failed whenever a transactional test ran before them.
    for migration in MIGRATED_DATA:
        importlib.import_module(f"portfolio.migrations.{migration}").load(apps, None)


MIGRATED_DATA = ("0003_dora_benchmark_data", "0007_dora_deployment_days")


def _is_transactional(request) -> bool:
    """Whether pytest-django runs this test as a TransactionTestCase (and so flushes after it)."""
    marker = request.node.get_closest_marker("django_db")  # django_db(transaction, reset_sequences, ...)
    if marker and (any(marker.args[:2]) or marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request):
    """Mark a transactional test whose database is set up: its teardown will flush every table,
    and `pytest_runtest_teardown` below restores the migrated rows after that flush."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")  # already set up by the marker or live_server
        request.node.stash[_FLUSH_PENDING] = request.getfixturevalue("django_db_blocker")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # A hook, not the fixture's teardown: fixtures are torn down in reverse order of setup, and
    # pytest-django's database fixture is set up first, so its flush comes after every other
    # fixture's teardown of the test.
    try:
        return (yield)
    finally:
        blocker = item.stash.get(_FLUSH_PENDING, None)
        if blocker is not None:
            with blocker.unblock():
                _migrated_data_restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database (`--reuse-db`) may come from a run interrupted before the restore
    above: bring the migrated rows back once per session."""
    with django_db_blocker.unblock():
        _migrated_data_restore()


# --- the demo portfolio, once per module --------------------------------------------------------

DEMO_TEST_PASSWORD = "s3cret-demo"
DEMO_TEST_URL = "http://127.0.0.1:8101/"


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """`seed_demo` run once for the whole module, with a password setting and an address given,
    inside a transaction rolled back after the module's last test (its tests run in savepoints
    within it, as in Django's `TestCase.setUpTestData`). Seeding takes a minute or more on
    PostgreSQL, so the demo's read-only checks share one run instead of seeding each.

    Returns what the command printed."""
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    printed = io.StringIO()
    with django_db_blocker.unblock(), override_settings(DEMO_PASSWORD=DEMO_TEST_PASSWORD), transaction.atomic():
        call_command("seed_demo", url=DEMO_TEST_URL, stdout=printed)
        try:
            yield printed.getvalue()
        finally:
            transaction.set_rollback(True)
