"""Threads for the race tests (PostgreSQL): each call runs in its own thread and database connection.

A race test must be transactional (`django_db(transaction=True)`): the threads open their own
connections, so they only see committed rows. Every wait has a timeout: a deadlock or a lost
wake-up fails the test instead of hanging CI.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

TIMEOUT_SECONDS = 60


def thread_start(fn: Callable[[], Any], *, timeout: float = TIMEOUT_SECONDS) -> Callable[[], Any]:
    """Run `fn` in a new thread; return `wait()`, which joins it and gives `fn`'s result or the
    exception it raised. A thread still running after `timeout` seconds fails the test."""
    outcome: list = []

    def run():
        try:
            outcome.append(fn())
        except Exception as exc:  # the test asserts on it
            outcome.append(exc)
        finally:
            connections.close_all()  # this thread's connections; the test's own stay open

    # A daemon thread: one that never ends (the failure reported below) cannot keep pytest alive.
    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait():
        thread.join(timeout)
        if thread.is_alive():
            pytest.fail(f"{fn!r} still ran after {timeout} seconds: a deadlock or a lost wake-up")
        return outcome[0]

    return wait


def threads_race(calls: list[Callable[[], Any]], *, timeout: float = TIMEOUT_SECONDS) -> list:
    """Run the calls at the same moment (a barrier releases them together), each in its own thread;
    return each call's result or the exception it raised, in the order of `calls`.

    A thread that never reaches the barrier breaks it for the others after `timeout` seconds
    (`threading.BrokenBarrierError` in their results)."""
    barrier = threading.Barrier(len(calls))

    def at_the_barrier(call):
        def run():
            barrier.wait(timeout)
            return call()

        return run

    waits = [thread_start(at_the_barrier(call), timeout=timeout) for call in calls]
    return [wait() for wait in waits]
