"""The fault suite's tools: a broker that hangs, a broker that is gone, a Celery worker
subprocess on the test database, a private PostgreSQL the test may stop, and a summary of the
figures printed at the end of the run.

Every fault test is transactional (the worker subprocess reads committed rows only) and marked
`faults` plus the services it needs (`postgres`, `broker`), so the suite's service guard skips
it, or fails it under REQUIRE_SERVICES=1, when they are missing. Waits poll a condition with a
deadline (a subprocess cannot signal us otherwise); no test sleeps a fixed time.
"""

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from core import publish

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = BASE_DIR / ".venv" / "bin" / "celery"
# Requests may take this much longer with a fault than without it (p99 against p99)...
LATENCY_BOUND = 1.2
# ...plus this much scheduler jitter: on a shared two-core machine the p99 of ~15 ms requests
# moves by a few milliseconds between two sides doing the same work (CI once measured 15 -> 18
# ms, x1.22, with the fault costing nothing). What a fault could add is a wait on the broker,
# which costs its socket timeout (1 s, config/settings/base.py): a 5 ms allowance cannot hide it.
JITTER = 0.005
# The fault suite's own Redis database, so CI's worker (database 0) never takes its messages.
FAULTS_REDIS_DB = 15

WORKER_ARGS = [str(CELERY), "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
WORKER_ARGS += ["--without-mingle", "--without-gossip", "--loglevel=INFO"]

FIGURES: list[tuple[str, str]] = []


def figure(name: str, value: str) -> None:
    """Record a figure for the summary printed at the end of the run."""
    FIGURES.append((name, value))


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("fault suite figures")
    width = max(len(name) for name, _ in FIGURES)
    for name, value in FIGURES:
        terminalreporter.write_line(f"{name.ljust(width)}  {value}")


def wait_until(predicate, *, timeout: float, what: str, step: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        pause.wait(step)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def within_bound(base: list[float], faulted: list[float]) -> bool:
    """The faulted side's p99 is within LATENCY_BOUND of the normal p99, give or take JITTER."""
    return p99(faulted) <= LATENCY_BOUND * p99(base) + JITTER


def timings_figure(name: str, base: list[float], faulted: list[float]) -> float:
    ratio = p99(faulted) / p99(base)
    figure(
        name,
        f"p99 {p99(base) * 1000:.0f} -> {p99(faulted) * 1000:.0f} ms (x{ratio:.2f}); "
        f"median {statistics.median(base) * 1000:.0f} -> {statistics.median(faulted) * 1000:.0f} ms; "
        f"n={len(faulted)}",
    )
    return ratio


# --- the broker --------------------------------------------------------------------------------


def faults_redis_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{FAULTS_REDIS_DB}", "", ""))


@pytest.fixture
def redis_clean():
    """The suite's Redis database, emptied before and after."""
    import redis

    client = redis.Redis.from_url(faults_redis_url(), socket_timeout=2)
    client.flushdb()
    yield faults_redis_url()
    client.flushdb()
    client.close()


@pytest.fixture
def hung_broker_url():
    """A TCP port that accepts connections and never answers, like a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def stopped_broker_url():
    """A port nothing listens on, like a stopped Redis."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"redis://127.0.0.1:{port}/0"


def _forget_connections(app) -> None:
    # Kombu keeps a connection pool per URL; drop ours so the next publish uses the new URL.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def app_broker(url: str, *, settle: bool = False):
    """Point this process's Celery app (the web side's publisher) at `url`, not eager.

    With `settle`, the block's nudges are handed to `url` before the app switches back, so none
    reaches the suite's own broker, whose worker reads the same test database and would drain a
    stream the test means to keep due."""
    from config.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    _forget_connections(app)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield app
    finally:
        if settle:
            publish.wait_sent(timeout=10)
        _forget_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = previous


# --- the worker --------------------------------------------------------------------------------


def worker_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """A Celery worker subprocess (solo pool) on the test database and the suite's Redis."""

    def __init__(self, redis_url: str, database_url: str):
        self.log = Path(tempfile.mkstemp(prefix="faults-worker-", suffix=".log")[1])
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.worker_test",
        }
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [*WORKER_ARGS, "-n", f"faults-{uuid.uuid4().hex[:8]}@%h"],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        wait_until(lambda: " ready." in self.text() or self.process.poll() is not None, timeout=timeout, what="worker")
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{self.text()[-3000:]}")

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.unlink(missing_ok=True)


@pytest.fixture
def start_worker(redis_clean):
    """`start_worker()` starts a worker (on the suite's Redis and the test database) and waits
    until it is ready; every worker started is stopped after the test."""
    workers: list[Worker] = []

    def start(*, ready: bool = True) -> Worker:
        worker = Worker(redis_clean, worker_database_url())
        workers.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


# --- a private PostgreSQL ------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")])
    return found[-1] if found else None


def private_postgres_reason() -> str:
    """'' when this test can run its own PostgreSQL (as root, through the `postgres` user, as
    `.ci/services.sh` does), else why not."""
    if _pg_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "starting a private PostgreSQL needs root and runuser (as .ci/services.sh does)"
    return ""


class PrivatePostgres:
    """A throwaway PostgreSQL on a free port that the test may stop and start."""

    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.dir.chmod(0o755)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.data = self.dir / "pgdata"
        subprocess.run(
            ["install", "-d", "-o", "postgres", "-g", "postgres", str(self.data), str(self.dir / "sock")], check=True
        )
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self.psql("-qc", "CREATE ROLE vmo LOGIN CREATEDB PASSWORD 'vmo';")
        self.psql("-qc", "CREATE DATABASE vmo OWNER vmo;")

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)

    def psql(self, *args: str, database: str = "postgres", stdin=None) -> None:
        subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, *args],
            check=True,
            capture_output=True,
            stdin=stdin,
        )

    @property
    def url(self) -> str:
        return f"postgres://vmo:vmo@127.0.0.1:{self.port}/vmo"

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir / 'sock'} -c fsync=off -c max_connections=50"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def copy_of(self, database_url: str) -> None:
        """Load a dump of `database_url` (schema and rows) into this server's `vmo` database."""
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", database_url],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url],
            input=dump,
            check=True,
            capture_output=True,
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres():
    reason = private_postgres_reason()
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but the PostgreSQL fault test cannot run: {reason}")
        pytest.skip(reason)
    server = PrivatePostgres()
    yield server
    server.remove()
