"""Reads for the base domain."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from portfolio.models import QUARTER_CODE, Quarter, ValueStream


def value_stream_list(*, include_inactive: bool = False) -> QuerySet[ValueStream]:
    qs = ValueStream.objects.prefetch_related(Prefetch("managers"))
    return qs if include_inactive else qs.active()


def quarter_current(*, today: date | None = None) -> Quarter | None:
    """The quarter containing today, else the latest one that started, else the first one."""
    return Quarter.objects.current(today=today)


def quarter_previous(*, quarter: Quarter) -> Quarter | None:
    return Quarter.objects.filter(end__lt=quarter.start).order_by("-start").first()


def quarter_next(*, quarter: Quarter) -> Quarter | None:
    return Quarter.objects.filter(start__gt=quarter.end).order_by("start").first()


def quarter_from_code(*, code: str | None) -> Quarter | None:
    """The quarter a page was asked for by `?quarter=`, or the current one.

    Only a well-formed code is looked up: anything else (a typo, or bytes PostgreSQL refuses in a
    string such as NUL) cannot name a quarter and falls back to the current one.
    """
    if code and QUARTER_CODE.fullmatch(code):
        quarter = Quarter.objects.filter(code=code).first()
        if quarter is not None:
            return quarter
    return quarter_current()


def parked_list(*, limit: int = 500):
    """Parked webhook deliveries, newest first (the payload itself is not loaded)."""
    from portfolio.models import ParkedDelivery

    return ParkedDelivery.objects.defer("payload").order_by("-received_at", "-id")[:limit]
