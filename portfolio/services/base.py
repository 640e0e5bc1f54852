"""Writes for the base domain: value streams, quarters, themes, and the rollup outbox."""

import datetime as dt
import logging
import threading
import time
from contextlib import contextmanager
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from portfolio.models import Quarter, QuarterStatus, RollupDue, StrategicTheme, ValueStream


def quarter_check_overlap(*, start: date, end: date, exclude_id: int | None = None) -> None:
    """Raise ValidationError (on `start`) when [start, end] overlaps another quarter."""
    overlapping = Quarter.objects.filter(start__lte=end, end__gte=start)
    if exclude_id is not None:
        overlapping = overlapping.exclude(id=exclude_id)
    clash = overlapping.order_by("start").first()
    if clash is not None:
        raise ValidationError(
            {"start": f"{start} to {end} overlaps quarter {clash.code} ({clash.start} to {clash.end})."}
        )


@transaction.atomic
def quarter_create(*, code: str, start: date, end: date, status: str = QuarterStatus.PLANNING) -> Quarter:
    """Create a planning quarter; overlapping quarters are refused with a message.

    On SQLite the IMMEDIATE transaction serialises writers; on PostgreSQL the overlap check and
    insert race only between two directors creating quarters at the same moment, and the unique
    code still holds.
    """
    quarter = Quarter(code=code, start=start, end=end, status=status)
    quarter.full_clean()
    quarter_check_overlap(start=start, end=end)
    quarter.save()
    return quarter


@transaction.atomic
def quarter_update(*, quarter: Quarter, **fields) -> Quarter:
    for name, value in fields.items():
        setattr(quarter, name, value)
    quarter.full_clean()
    quarter_check_overlap(start=quarter.start, end=quarter.end, exclude_id=quarter.id)
    quarter.save()
    return quarter


@transaction.atomic
def value_stream_create(*, name: str, slug: str = "", managers=(), **fields) -> ValueStream:
    value_stream = ValueStream(name=name, slug=slug or slugify(name)[:60], **fields)
    value_stream.full_clean()
    value_stream.save()
    if managers:
        value_stream.managers.set(managers)
    return value_stream


@transaction.atomic
def value_stream_update(*, value_stream: ValueStream, managers=None, **fields) -> ValueStream:
    for name, value in fields.items():
        setattr(value_stream, name, value)
    value_stream.full_clean()
    value_stream.save()
    if managers is not None:
        value_stream.managers.set(managers)
    return value_stream


@transaction.atomic
def theme_create(*, name: str, slug: str = "", description: str = "", active: bool = True) -> StrategicTheme:
    theme = StrategicTheme(name=name, slug=slug or slugify(name)[:60], description=description, active=active)
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_update(*, theme: StrategicTheme, **fields) -> StrategicTheme:
    for name, value in fields.items():
        setattr(theme, name, value)
    theme.full_clean()
    theme.save()
    return theme


# The task that drains the outbox. Named here, where the outbox is, and registered under this name
# by the app above that computes rollups (vmo), so portfolio never imports it.
ROLLUP_OUTBOX_DRAIN_TASK = "vmo.tasks.rollup_outbox_drain_task"


_nudges = threading.local()


@contextmanager
def rollup_nudges_paused():
    """Within this block writes still record their outbox rows but wake no drain: for bulk
    loaders (the demo seed) that compute their snapshots themselves at the end, instead of a
    drain per commit recomputing every day since the oldest row they wrote."""
    _nudges.paused = True
    try:
        yield
    finally:
        _nudges.paused = False


def rollup_due_mark(*, value_stream_ids, since: dt.date | dt.datetime | None = None) -> None:
    """Record in the outbox that these value streams need a new snapshot, and nudge the worker.

    `since` is the day the written row is about (a spend month, a deployment's or a finished
    item's time): the drain then recomputes the snapshots from that day on, in that quarter
    and every later one, not only today's. The row keeps the earliest day of all the writes
    waiting. None means the write only changes figures from today on.

    Call inside the transaction that changes the figures: the outbox row commits or rolls back
    with the change, so no trigger is lost when the broker is down. The nudge is sent after
    commit, by task name (portfolio may not import vmo), from a background thread that never
    blocks the request; a lost nudge is caught up when a worker starts and on beat's tick.
    """
    ids = {int(vs_id) for vs_id in value_stream_ids if vs_id is not None}
    if not ids:
        return
    if isinstance(since, dt.datetime):
        since = timezone.localdate(since) if timezone.is_aware(since) else since.date()
    RollupDue.objects.bulk_create(
        [RollupDue(value_stream_id=vs_id, since=since) for vs_id in ids], ignore_conflicts=True
    )
    if since is not None:
        # A row already waiting keeps the earliest day (a conditional UPDATE, no read-then-write).
        RollupDue.objects.filter(value_stream_id__in=ids).filter(Q(since__isnull=True) | Q(since__gt=since)).update(
            since=since
        )
    if not getattr(_nudges, "paused", False):
        transaction.on_commit(_nudge_rollup_drain)


def _run_rollup_drain() -> None:
    from core.publish import run_inline

    # Embedded mode has no worker: send_task would only queue in memory, so run the task here.
    run_inline(ROLLUP_OUTBOX_DRAIN_TASK)


class EmbeddedDrain:
    """The embedded mode's debounced rollup drain: the first nudge starts a timer thread, nudges
    while it waits join it, and the drain then runs once, outside every request.

    The drain waits until no nudge came for `delay` seconds, and at most `max_wait` seconds
    after the first: 50 batches of 1,000 rows are one burst and get one rollup after it (a
    drain every `delay` seconds while they arrived recomputed every touched stream each time,
    on the same cores as the ingestion, and halved its rate at a million work items), while a
    steady stream of writes still gets its rollups every `max_wait` seconds.
    `ROLLUP_EMBEDDED_DRAIN_DELAY = 0` runs it inline after commit instead (the tests' setting,
    so a test sees its snapshot without a thread). `clock` is for tests."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self.timer: threading.Timer | None = None
        self._first = self._last = 0.0
        self._delay = self._max_wait = 0.0

    def nudge(self, delay: float, max_wait: float | None = None) -> None:
        now = self._clock()
        with self._lock:
            self._last = now
            if self.timer is not None:
                return  # a drain is already due: it will take this value stream's row too
            self._first, self._delay = now, delay
            self._max_wait = delay if max_wait is None else max(delay, max_wait)
            self._start(delay)

    def _start(self, wait: float) -> None:
        self.timer = threading.Timer(wait, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        with self._lock:
            now = self._clock()
            quiet, waited = now - self._last, now - self._first
            if quiet < self._delay and waited < self._max_wait:
                # Writes came while it waited: wait for them to stop, within the longest wait.
                self._start(min(self._delay - quiet, self._max_wait - waited))
                return
            self.timer = None  # rows marked from now on get a new drain
        self._drain()

    def _drain(self) -> None:
        from django.db import connections

        try:
            _run_rollup_drain()
        except Exception:
            logging.getLogger(__name__).exception("Embedded rollup drain failed; the rows stay in the outbox.")
        finally:
            connections.close_all()  # this thread's own connections


embedded_drain = EmbeddedDrain()


def _nudge_rollup_drain() -> None:
    from celery import current_app as app
    from django.conf import settings

    if app.conf.task_always_eager:
        # Embedded mode has no worker: drain in this process after the response (debounced, so
        # a burst of writes costs one drain), never inside the request.
        delay = getattr(settings, "ROLLUP_EMBEDDED_DRAIN_DELAY", 2.0)
        if delay:
            embedded_drain.nudge(delay, getattr(settings, "ROLLUP_EMBEDDED_DRAIN_MAX_WAIT", 30.0))
        else:
            _run_rollup_drain()
        return
    # Handed to a background publisher: a dead or hung broker costs the request nothing.
    from core.publish import publish

    publish(ROLLUP_OUTBOX_DRAIN_TASK)
