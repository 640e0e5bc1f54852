"""Readiness checks for /readyz: each answers within its own short timeout.

The answer names which dependency failed and how, in one word ("unreachable", "timed out"),
never the error text: that carries hosts, ports and user names, and /readyz answers anyone.
The details go to the log.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 1.5
UNREACHABLE = "unreachable"
TIMED_OUT = "timed out"


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
    """Map of check name to '' when it passed, else "unreachable" or "timed out".

    The broker is pinged in a worker thread with a deadline, so a hung Redis cannot hold the
    probe past two seconds. The database check runs in the request thread (Django connections
    are per thread) and relies on the driver's own timeouts.
    """
    results: dict[str, str] = {}
    try:
        _check_database()
        results["database"] = ""
    except Exception:
        logger.exception("Readiness: the database check failed.")
        results["database"] = UNREACHABLE
    if settings.REDIS_URL:
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(_check_broker)
        try:
            future.result(timeout=CHECK_TIMEOUT_SECONDS)
            results["broker"] = ""
        except FutureTimeout:
            logger.error("Readiness: the broker did not answer within %s s.", CHECK_TIMEOUT_SECONDS)
            results["broker"] = TIMED_OUT
        except Exception as exc:
            logger.error("Readiness: the broker check failed.", exc_info=exc)
            import redis

            timed_out = isinstance(exc, TimeoutError | redis.exceptions.TimeoutError)
            results["broker"] = TIMED_OUT if timed_out else UNREACHABLE
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return results
