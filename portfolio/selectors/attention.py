"""Reads that ask for someone's attention (used by the notifications app): epics waiting for a
go decision, value streams that released nothing for a while, who holds a role, who manages
which stream. Each one query."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet

from portfolio.models import Epic, EpicState, MMPStatus, ValueStream


def epics_awaiting_go_decision() -> QuerySet:
    """Epics in analysis whose business case carries a cost estimate but no recorded go
    decision: the portfolio backlog is closed to them until someone decides."""
    return (
        Epic.objects.filter(state=EpicState.ANALYZING, go_decision_at__isnull=True, estimated_cost_cents__isnull=False)
        .order_by("id")
        .values("id", "key", "title", "value_stream_id")
    )


def value_streams_without_release(*, since: dt.date) -> QuerySet:
    """Active value streams with no MMP/MVP released on or after `since` (streams created after
    `since` have had no chance yet and are left out). `last_release` is None when never."""
    return (
        ValueStream.objects.active()
        .filter(created_at__date__lt=since)
        .annotate(last_release=Max("epics__mmps__released_on", filter=Q(epics__mmps__status=MMPStatus.RELEASED)))
        .filter(Q(last_release__lt=since) | Q(last_release__isnull=True))
        .order_by("id")
        .values("id", "name", "slug", "last_release")
    )


def user_ids_with_role(*, role: str) -> list[int]:
    """Active users holding `role` (a group name of portfolio.roles)."""
    User = get_user_model()
    return list(User.objects.filter(is_active=True, groups__name=role).order_by("id").values_list("id", flat=True))


def value_stream_manager_ids(*, value_stream_ids) -> dict[int, list[int]]:
    """value stream id -> ids of its active managers."""
    through = ValueStream.managers.through.objects.filter(
        valuestream_id__in=list(value_stream_ids), user__is_active=True
    ).order_by("valuestream_id", "user_id")
    managers: dict[int, list[int]] = {}
    for vs_id, user_id in through.values_list("valuestream_id", "user_id"):
        managers.setdefault(vs_id, []).append(user_id)
    return managers
