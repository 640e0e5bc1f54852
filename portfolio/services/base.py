"""Writes for the base domain: value streams, quarters, themes, and the rollup outbox."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
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


def rollup_due_mark(*, value_stream_ids) -> None:
    """Record in the outbox that these value streams need a new snapshot, and nudge the worker.

    Call inside the transaction that changes the figures: the outbox row commits or rolls back
    with the change, so no trigger is lost when the broker is down. The nudge is sent after
    commit, by task name (portfolio may not import vmo), and a failure to publish is swallowed:
    the periodic drain picks the row up later.
    """
    ids = {int(vs_id) for vs_id in value_stream_ids if vs_id is not None}
    if not ids:
        return
    RollupDue.objects.bulk_create([RollupDue(value_stream_id=vs_id) for vs_id in ids], ignore_conflicts=True)
    transaction.on_commit(_nudge_rollup_drain)


def _nudge_rollup_drain() -> None:
    from celery import current_app as app

    try:
        if app.conf.task_always_eager:
            # Embedded mode has no worker: send_task would only queue in memory, so run it here
            # (after loading the apps' task modules, which only a worker imports by itself).
            app.loader.import_default_modules()
            app.tasks[ROLLUP_OUTBOX_DRAIN_TASK].apply()
            return
        app.send_task(ROLLUP_OUTBOX_DRAIN_TASK, ignore_result=True)
    except Exception:
        import logging

        logging.getLogger(__name__).warning("Broker unreachable; rollups wait in the outbox.", exc_info=True)
