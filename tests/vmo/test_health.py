"""/healthz and /readyz: the process is up; the database and broker answer (or 503 naming which)."""

import socket
import threading

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_broker():
    """A TCP port that accepts connections and never answers, like a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"redis://127.0.0.1:{port}/0"


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_the_database_and_no_broker_configured(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_readyz_names_the_database_when_it_is_down(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unreachable"}}


def test_readyz_names_the_broker_when_nothing_listens(client, settings, closed_port):
    settings.REDIS_URL = closed_port

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "unreachable"}
    assert "127.0.0.1" not in response.content.decode()  # no internal address to the public


def test_readyz_answers_503_naming_the_broker_when_it_hangs(client, settings, hung_broker, monkeypatch):
    import redis

    settings.REDIS_URL = hung_broker
    clients = []
    real_from_url = redis.Redis.from_url

    def from_url(url, **kwargs):
        clients.append(kwargs)
        return real_from_url(url, **kwargs)

    monkeypatch.setattr(redis.Redis, "from_url", from_url)

    response = client.get("/readyz")

    # The probe's bound is its deadline and the client's socket timeouts (no wall clock here: a
    # probe that hung would be stopped by the suite's per-test timeout and fail).
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "timed out"
    assert clients == [{"socket_timeout": 1, "socket_connect_timeout": 1}]


def test_readyz_shows_anonymous_callers_no_error_text_and_logs_it(client, settings, monkeypatch, caplog):
    settings.REDIS_URL = ""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.7", port 5432 failed: password for user "vmo"')

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert "10.0.0.7" not in response.content.decode()
    assert "vmo" not in response.content.decode()
    assert "10.0.0.7" in caplog.text  # the details are for the operator's log
