"""Readiness checks for /readyz: each answers within its own short timeout."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection

CHECK_TIMEOUT_SECONDS = 1.5


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def readiness_checks() -> dict[str, str]:
    """Map of check name to an error message ('' when it passed).

    The broker is pinged in a worker thread with a deadline, so a hung Redis cannot hold the
    probe past two seconds. The database check runs in the request thread (Django connections
    are per thread) and relies on the driver's own timeouts.
    """
    results: dict[str, str] = {}
    try:
        _check_database()
        results["database"] = ""
    except Exception as exc:
        results["database"] = f"{type(exc).__name__}: {exc}"[:200]
    if settings.REDIS_URL:
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(_check_broker)
        try:
            future.result(timeout=CHECK_TIMEOUT_SECONDS)
            results["broker"] = ""
        except FutureTimeout:
            results["broker"] = "timed out"
        except Exception as exc:
            results["broker"] = f"{type(exc).__name__}: {exc}"[:200]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return results
