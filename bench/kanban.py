"""Kanban figures: the board and `/api/epics/?page_size=500` over 5,000 epics in 20 value streams,
each as a ratio to the bare SQL query that fetches the same rows."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import measure
from kanban.selectors import CARDS_PER_COLUMN
from portfolio import roles
from portfolio.models import WSJF_SCALE, Epic, EpicState, StrategicTheme, ValueStream
from portfolio.selectors.epics import epic_list

EPICS = 5_000
STREAMS = 20


def _seed() -> None:
    """Idempotent: bench rows carry a BENCH- prefix and are only added when missing."""
    streams = []
    for n in range(1, STREAMS + 1):
        stream, _ = ValueStream.objects.get_or_create(slug=f"bench-{n:02d}", defaults={"name": f"Bench stream {n:02d}"})
        streams.append(stream)
    theme, _ = StrategicTheme.objects.get_or_create(slug="bench-theme", defaults={"name": "Bench theme"})
    have = Epic.objects.filter(key__startswith="BENCH-").count()
    if have >= EPICS:
        return
    rng = random.Random(7)
    states = list(EpicState.values)
    now = timezone.now()
    epics = [
        Epic(
            key=f"BENCH-{i}",
            title=f"Bench epic {i}",
            value_stream=streams[i % STREAMS],
            state=rng.choice(states),
            state_changed_at=now,
            business_value=rng.choice(WSJF_SCALE),
            time_criticality=rng.choice(WSJF_SCALE),
            risk_reduction=rng.choice(WSJF_SCALE),
            job_size=rng.choice(WSJF_SCALE) if i % 10 else None,
            estimated_cost_cents=rng.randint(1, 5000) * 1_000_00,
        )
        for i in range(have, EPICS)
    ]
    created = Epic.objects.bulk_create(epics, batch_size=1000)
    through = Epic.themes.through
    through.objects.bulk_create(
        [through(epic_id=e.id, strategictheme_id=theme.id) for e in created], batch_size=2000, ignore_conflicts=True
    )


def _client() -> Client:
    user, _ = get_user_model().objects.get_or_create(username="bench-director")
    user.groups.add(Group.objects.get(name=roles.DIRECTOR))
    client = Client()
    client.force_login(user)
    return client


def _raw(queryset) -> callable:
    sql, params = queryset.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def run(report) -> None:
    _seed()
    client = _client()
    total = Epic.objects.count()
    report.value("kanban: epics / value streams", f"{total} / {ValueStream.objects.count()}")

    def board():
        response = client.get("/kanban/")
        assert response.status_code == 200

    # The rows the board shows: each column's best CARDS_PER_COLUMN cards, ranked.
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from portfolio.querysets import RANK_ORDER

    board_rows = (
        Epic.objects.select_related("value_stream", "owner")
        .with_is_scored()
        .annotate(column_rank=Window(RowNumber(), partition_by=[F("state")], order_by=list(RANK_ORDER)))
        .filter(column_rank__lte=CARDS_PER_COLUMN)
        .order_by("state", "column_rank")
    )
    report.ratio(
        "kanban: board /kanban/ (server time)",
        seconds=measure(board),
        floor_seconds=measure(_raw(board_rows)),
        floor="bare SQL of the board's cards",
    )

    def api():
        response = client.get("/api/epics/?page_size=500")
        assert response.status_code == 200

    report.ratio(
        "kanban: /api/epics/?page_size=500",
        seconds=measure(api),
        floor_seconds=measure(_raw(epic_list()[:500])),
        floor="bare SQL of the 500 ranked rows",
    )
