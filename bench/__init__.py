"""`make bench`: speed figures as ratios against a floor measured in the same run.

Absolute timings depend on the machine and its load; a ratio of our figure to its floor, both
measured minutes apart on the same data, holds on a noisy 2-core box. How it measures:

- Data: every run starts from an empty database (dropped and migrated) and seeds fixed data
  sets from fixed random seeds, so two runs measure the same rows (see each section).
- Requests: every page and API figure is a real HTTP request to gunicorn (two workers) on a
  loopback port, logged in as a value stream manager (a session cookie, or a token for the
  API), with its status code checked. Each figure reports the first (cold) request, then p50
  and p90 over RUNS requests after WARMUP unmeasured ones.
- Floors: the best hand-written SQL for the same rows (its plan checked with EXPLAIN, the top
  node printed on PostgreSQL) plus the cost of encoding them (json.dumps for an API, a minimal
  Django template for a page), served by the same gunicorn over the same socket (`bench/wsgi.py`
  answers FLOOR_PREFIX paths itself, before Django's middleware, URLs or authentication), so a
  ratio compares our stack with hand-written code on equal transport. The transport alone (an
  empty answer) is printed as its own figure.
Each section is a module with `run(report, server)`; SECTIONS lists them in order. A section's
floors are functions registered with `@floor(name)`: they take the request's query parameters
and return the content type and body.
"""

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from urllib.parse import urlencode

SECTIONS: list[str] = ["epics", "okrs", "funding", "rollups", "forecast", "overview"]
FLOOR_PREFIX = "/bench-floor/"
FLOORS: dict[str, Callable[[dict[str, str]], tuple[str, bytes]]] = {}
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
WARMUP = 3


@dataclass(frozen=True)
class Timing:
    cold: float
    p50: float
    p90: float


def timed(fn: Callable[[], object], *, runs: int = RUNS, warmup: int = WARMUP) -> Timing:
    """The first call's time, then p50 and p90 over `runs` calls after `warmup` unmeasured ones."""
    started = time.perf_counter()
    fn()
    cold = time.perf_counter() - started
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    deciles = statistics.quantiles(timings, n=10, method="inclusive")
    return Timing(cold=cold, p50=statistics.median(timings), p90=deciles[8])


# --- the floors ---------------------------------------------------------------------------------


def floor(name: str):
    """Register a floor, served by the bench's gunicorn at FLOOR_PREFIX + name."""

    def register(fn):
        FLOORS[name] = fn
        return fn

    return register


@floor("empty")
def empty_floor(params: dict[str, str]) -> tuple[str, bytes]:
    """Nothing: what the socket, HTTP and gunicorn cost by themselves."""
    return "text/plain", b""


def html(body: str) -> tuple[str, bytes]:
    return "text/html; charset=utf-8", body.encode()


def json_body(data) -> tuple[str, bytes]:
    return "application/json", json.dumps(data, default=str).encode()


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with two workers on a loopback port, with the bench settings and database."""

    def __init__(self):
        self.port = _free_port()
        self.process = None

    def __enter__(self):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "bench.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
                "--timeout=300",
            ],
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return self
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def floor(self, name: str, **params) -> Callable[[], bytes]:
        """A request to the floor `name` through this server, for `timed`."""
        client = Http(self)
        path = f"{FLOOR_PREFIX}{name}?{urlencode(params)}"
        return lambda: client.get(path)


class Http:
    """A keep-alive HTTP client for one user: a session cookie for pages, a token for the API."""

    def __init__(self, server: Server, *, session_key: str = "", token: str = ""):
        self.connection = HTTPConnection("127.0.0.1", server.port, timeout=300)
        self.headers = {"Host": "127.0.0.1"}
        if session_key:
            self.headers["Cookie"] = f"sessionid={session_key}"
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def request(self, method: str, path: str, *, body=None, expect: int = 200) -> bytes:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        if response.status != expect:
            raise AssertionError(f"{method} {path}: {response.status}, wanted {expect}: {content[:300]!r}")
        return content

    def get(self, path: str) -> bytes:
        return self.request("GET", path)


def log_in(user) -> str:
    """A session key for `user`, made the way the login view makes one."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "vmo.sso.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def explain(sql: str, params) -> str:
    """The top node of the floor's plan (PostgreSQL), so a floor that sorts or scans shows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        lines = [row[0].strip() for row in cursor.fetchall()]
    scans = [line for line in lines if "Scan" in line or "Sort" in line]
    return "; ".join([lines[0].split("  (")[0], *[s.split("  (")[0].lstrip("-> ") for s in scans[:3]]])


# --- the report ---------------------------------------------------------------------------------


@dataclass
class Report:
    rows: list[tuple[str, ...]] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    def ratio(self, figure: str, *, ours: Timing, floor: Timing, floor_is: str, goal: float | None) -> None:
        """Our p50 and p90 (and the cold first request), the floor's p50, their ratio and the goal."""
        ratio = ours.p50 / floor.p50 if floor.p50 else float("inf")
        self.rows.append(
            (
                figure,
                f"{ours.p50 * 1000:.1f} / {ours.p90 * 1000:.1f} ms (cold {ours.cold * 1000:.0f})",
                f"{floor.p50 * 1000:.1f} ms ({floor_is})",
                f"{ratio:.1f}x",
                f"<= {goal:g}x" if goal else "",
                "" if goal is None else ("ok" if ratio <= goal else "MISSED"),
            )
        )

    def value(self, figure: str, value: str, *, goal: str = "", met: bool | None = None) -> None:
        self.rows.append((figure, value, "", "", goal, "" if met is None else ("ok" if met else "MISSED")))

    def __post_init__(self):
        self._shown = 0

    def flush(self) -> None:
        """Print the rows added since the last flush, so a long run shows its figures as it goes."""
        for row in self.rows[self._shown :]:
            print("  " + " | ".join(c for c in row if c), flush=True)
        self._shown = len(self.rows)

    def plan(self, figure: str, plan: str) -> None:
        if plan:
            self.plans.append(f"{figure}: {plan}")

    def print(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            version = ""
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
                # Durability settings change write figures (ingestion): say which were in force.
                cursor.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit')")
                fsync, synchronous_commit = cursor.fetchone()
                version += f", fsync={fsync}, synchronous_commit={synchronous_commit}"
            else:
                import sqlite3

                version = sqlite3.sqlite_version
        print(
            f"\nmachine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs,"
            f" Python {platform.python_version()};"
            f" database: {connection.vendor} {version}; BENCH_SCALE={SCALE:g}, {RUNS} requests per figure"
        )
        headers = ("figure", "ours p50 / p90", "floor p50", "ratio", "goal", "")
        widths = [max(len(str(row[i])) for row in [headers, *self.rows]) for i in range(len(headers))]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        print(line)
        print("-" * len(line))
        for row in self.rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if self.plans:
            print("\nfloor plans (EXPLAIN, top nodes):")
            for plan in self.plans:
                print(f"  {plan}")
