"""Publishing a Celery task so that no request ever waits on the broker.

A request only records work in the database (the rollup outbox, a pending import row); the
message that wakes a worker is a nudge, and losing it costs only latency: a worker drains the
outbox when it starts or reconnects and on beat's tick. So the nudge is handed to one
background daemon thread through a small bounded queue and the request returns at once. With
the broker hung, that thread waits at most the broker's socket timeouts per message while the
queue fills and further nudges are dropped (logged), never blocking a request; the thread is a
daemon, so it never holds up a process that exits.

In embedded mode (tasks always eager) there is no worker to wake, so the task runs inline, as
it always has. Imports no app of ours: callers pass task names.
"""

import logging
import queue
import threading
import time

logger = logging.getLogger(__name__)

# Nudges waiting for the publisher; beyond this the broker is clearly not taking them.
QUEUE_SIZE = 100
# After a failed publish, nudges are dropped for this long instead of tried: each attempt costs
# the process a connection attempt and a logged traceback (a burst of writes with the broker
# down paid 25% in median latency for them), and the outbox keeps the work anyway.
BACKOFF_SECONDS = 5.0

_queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()
_broken_until = 0.0


def publish(task_name: str, *, kwargs: dict | None = None) -> None:
    """Send `task_name` to the broker without waiting: never raises, never blocks.

    Eager mode runs the task here instead (after loading the apps' task modules, which only a
    worker imports by itself). Results are never stored for these messages, so nothing touches
    the result backend either.
    """
    from celery import current_app as app

    kwargs = kwargs or {}
    if not app.conf.task_always_eager and time.monotonic() < _broken_until:
        return  # the broker failed a moment ago: the outbox keeps the work, the worker catches up
    if app.conf.task_always_eager:
        try:
            run_inline(task_name, kwargs=kwargs)
        except Exception:
            # As a worker would: the failure is logged, the request that nudged is not failed.
            logger.exception("In-process run of %s failed.", task_name)
        return
    try:
        _queue.put_nowait((task_name, kwargs))
    except queue.Full:
        logger.warning("Broker backlog full; %s not sent (the outbox keeps the work).", task_name)
        return
    _ensure_thread()


def run_inline(task_name: str, *, kwargs: dict | None = None):
    """Run a registered task's body in this thread, as embedded mode's stand-in for a worker.

    Not `Task.apply()`: it marks the whole process "inside a task" (celery's `denied_join_result`
    flips a process-global flag and restores what it saw), so two threads running tasks at once
    (a request and the embedded drain's timer) can leave the flag set for good, and every later
    `AsyncResult.get()` in the process raises "Never call result.get() within a task!". The
    apps' task modules are loaded first: only a worker imports them by itself.
    """
    from celery import current_app as app

    app.loader.import_default_modules()
    return app.tasks[task_name](**(kwargs or {}))


def wait_sent(timeout: float = 30.0) -> bool:
    """Wait until every queued nudge was handed to the broker or dropped; False on timeout.

    For code that changes the broker under the publisher (the fault suite) and for shutdown."""
    deadline = time.monotonic() + timeout
    with _queue.all_tasks_done:  # the condition Queue.join() waits on, here with a deadline
        while _queue.unfinished_tasks:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not _queue.all_tasks_done.wait(remaining):
                return not _queue.unfinished_tasks
    return True


def _ensure_thread() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="celery-nudge", daemon=True)
            _thread.start()


def _run() -> None:
    global _broken_until
    from celery import current_app as app

    while True:
        task_name, kwargs = _queue.get()
        try:
            if time.monotonic() >= _broken_until:
                app.send_task(task_name, kwargs=kwargs, ignore_result=True)
        except Exception as exc:
            # Broker down or hung: the publish failed within the broker's socket timeouts.
            _broken_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning(
                "Broker unreachable (%s); nudges dropped for %s s, the outbox keeps the work.", exc, BACKOFF_SECONDS
            )
        finally:
            _queue.task_done()


def pending() -> int:
    """Nudges not yet handed to the broker (for tests and the fault suite's figures)."""
    return _queue.qsize()
