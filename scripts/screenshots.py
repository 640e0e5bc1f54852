"""`make screenshots`: the README's pictures of the product, taken from a fresh demo.

Seeds the demo into a temporary SQLite database, serves it with runserver on a free loopback
port, logs in as the director in Debian's chromium (CHROMIUM_PATH, else /usr/bin/chromium;
Playwright never downloads a browser here) and saves each page of PAGES at 1440 and 390 px wide
into docs/screenshots/ as JPEG (quality 80: a tenth of a PNG's size for these pages). Long pages
are cut at MAX_HEIGHT: the top of a page is what a reader looks at.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
# (file name, path, what it shows); tests/config/test_screenshots.py checks each answers 200.
PAGES = (
    ("overview", "/", "the executive overview of the quarter"),
    ("kanban", "/kanban/", "the portfolio Kanban"),
    ("funding", "/funding/", "budget, allocations, guardrails and burn"),
    ("value-stream", "/value-streams/payments/", "one value stream: delivery, flow, DORA, money"),
    ("monthly-report", "/reports/monthly/", "the monthly report"),
)
WIDTHS = ((1440, 900), (390, 844))
MAX_HEIGHT = 1800  # two screens of a desktop, four of a phone
USER = "director"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    # Our own interpreter and manage.py with fixed arguments: no untrusted input.
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (our http://127.0.0.1 URL)
                return
        except OSError:
            time.sleep(0.3)  # polling a process we started, not a test
    raise SystemExit(f"the server did not answer on {url} within {timeout} s")


def shoot(base_url: str, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
        try:
            for width, height in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base_url}/login/")
                page.get_by_label("Username").fill(USER)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{base_url}/")
                for name, path, _what in PAGES:
                    page.goto(f"{base_url}{path}", wait_until="networkidle")
                    full = page.evaluate("document.documentElement.scrollHeight")
                    target = OUT / f"{name}-{width}.jpg"
                    page.screenshot(
                        path=target,
                        type="jpeg",
                        quality=80,
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)},
                    )
                    saved.append(target)
                context.close()
        finally:
            browser.close()
    return saved


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("DEMO_PASSWORD", "demo")
    with tempfile.TemporaryDirectory(prefix="vmo-screenshots-") as tmp:
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "DEMO_PASSWORD": password,
            "VMO_URL": f"{base_url}/",
        }
        env.pop("REDIS_URL", None)  # embedded mode: tasks run in-process
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "seed_demo", stdout=subprocess.DEVNULL)
        server = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(base_url, server)
            saved = shoot(base_url, password)
        finally:
            server.terminate()
            server.wait(timeout=20)
    for path in saved:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
