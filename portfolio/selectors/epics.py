"""Reads for epics: ranked lists, the epic page, scoring columns and the WSJF/cost history."""

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from portfolio.models import MMP, OPEN_STATES, Dependency, Epic, EpicState, Risk
from portfolio.models.epics import HISTORY_FIELDS, WSJF_INPUTS
from portfolio.querysets import RANK_ORDER


def epic_list(*, filters: dict | None = None) -> QuerySet[Epic]:
    """Epics ranked by WSJF with what a list shows, in a fixed number of queries."""
    qs = Epic.objects.select_related("value_stream", "owner", "target_quarter").prefetch_related("themes")
    if filters:
        qs = qs.filter(**filters)
    return qs.with_cd3().ranked()


def epic_list_plain() -> QuerySet[Epic]:
    """Epics in rank order with their cd3, nothing joined or prefetched: the base of a list read
    as plain values (`epic_list_values`), where select_related and prefetching would be undone."""
    return Epic.objects.with_cd3().ranked()


def epic_list_values(queryset: QuerySet[Epic], *columns: str) -> QuerySet:
    """`queryset.values(*columns)` with each epic's strategic theme ids as `theme_ids` (sorted).

    On PostgreSQL they come in the same statement, an array subquery per row over the link
    table's index; elsewhere (SQLite has no arrays) `theme_ids_attach` reads them for the page in
    one more query. QuerySet.count() drops the unused annotation, so a paginator's count stays
    a plain COUNT."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.values(*columns)
    from django.contrib.postgres.expressions import ArraySubquery

    links = (
        Epic.themes.through.objects.filter(epic_id=OuterRef("pk"))
        .order_by("strategictheme_id")
        .values("strategictheme_id")
    )
    return queryset.annotate(theme_ids=ArraySubquery(links)).values(*columns, "theme_ids")


def theme_ids_attach(rows: list[dict]) -> list[dict]:
    """Give rows from `epic_list_values` their `theme_ids` where the database did not (one query
    for the page over the link table)."""
    if not rows or "theme_ids" in rows[0]:
        return rows
    themes: dict[int, list[int]] = {}
    links = Epic.themes.through.objects.filter(epic_id__in=[row["id"] for row in rows])
    for epic_id, theme_id in links.order_by("epic_id", "strategictheme_id").values_list("epic_id", "strategictheme_id"):
        themes.setdefault(epic_id, []).append(theme_id)
    for row in rows:
        row["theme_ids"] = themes.get(row["id"], [])
    return rows


def epic_detail(*, key: str) -> Epic:
    """One epic with everything its page shows, related rows fetched in a fixed number of queries."""
    return (
        Epic.objects.select_related("value_stream", "owner", "target_quarter", "go_decision_by")
        .prefetch_related(
            "themes",
            "value_stream__managers",
            Prefetch("mmps", queryset=MMP.objects.select_related("target_quarter").order_by("kind", "id")),
            Prefetch(
                "dependencies",
                queryset=Dependency.objects.select_related("depends_on", "depends_on__value_stream").order_by("id"),
            ),
            Prefetch(
                "dependents", queryset=Dependency.objects.select_related("epic", "epic__value_stream").order_by("id")
            ),
            Prefetch("risks", queryset=Risk.objects.select_related("owner").order_by("-raised_at", "id")),
        )
        .get(key=key)
    )


@dataclass(frozen=True)
class FieldChange:
    at: Any
    by: Any
    field: str
    label: str
    old: Any
    new: Any


def epic_history_changes(*, epic: Epic) -> list[FieldChange]:
    """Changes of the WSJF inputs and cost figures, newest first, from django-simple-history.

    One query for the epic's history rows (a handful per epic); consecutive rows are compared
    field by field to say what changed.
    """
    records = list(
        epic.history.select_related("history_user")
        .order_by("history_date", "history_id")
        .only("history_id", "history_date", "history_user", "history_type", *HISTORY_FIELDS)
    )
    labels = {name: Epic._meta.get_field(name).verbose_name for name in HISTORY_FIELDS}
    labels.update(estimated_cost_cents="estimated cost", cost_of_delay_per_week_cents="cost of delay per week")
    changes: list[FieldChange] = []
    previous = None
    for record in records:
        for name in HISTORY_FIELDS:
            old = getattr(previous, name) if previous is not None else None
            new = getattr(record, name)
            if old != new:
                changes.append(
                    FieldChange(
                        at=record.history_date, by=record.history_user, field=name, label=labels[name], old=old, new=new
                    )
                )
        previous = record
    changes.reverse()
    return changes


def scoring_column_warnings(*, queryset: QuerySet[Epic]) -> dict[str, bool]:
    """For each WSJF input: True when the epics on the scoring page have no 1 in that column.

    SAFe's relative scoring gives the smallest item in each column a 1; one aggregate query.
    A column nobody scored yet is not warned about.
    """
    figures = queryset.order_by().aggregate(
        **{f"{name}_ones": Count("id", filter=Q(**{name: 1})) for name in WSJF_INPUTS},
        **{f"{name}_scored": Count("id", filter=Q(**{f"{name}__isnull": False})) for name in WSJF_INPUTS},
    )
    return {name: figures[f"{name}_scored"] > 0 and figures[f"{name}_ones"] == 0 for name in WSJF_INPUTS}


def epic_state_changes(*, since) -> list[dict]:
    """Epics whose state now differs from their state at `since` (from the history table):
    id, key, title, state, then_state, by key. Epics created after `since` are left out."""

    def then(field):
        return Subquery(
            Epic.history.filter(id=OuterRef("id"), history_date__lte=since)
            .order_by("-history_date", "-history_id")
            .values(field)[:1]
        )

    return list(
        Epic.objects.filter(Exists(Epic.history.filter(id=OuterRef("id"), history_date__gt=since)))
        .annotate(then_state=then("state"))
        .filter(then_state__isnull=False)
        .exclude(then_state=F("state"))
        .order_by("key")
        .values("id", "key", "title", "state", "then_state")
    )


def epic_open_ranks(*, ids) -> dict[int, int]:
    """Portfolio WSJF positions (1 first) of those of `ids` still open, numbered by the database.

    The numbering runs over every open epic, so the filter on `ids` must apply after it: Django
    puts a filter that references a window function in an outer query (after the numbering)
    and any other filter inside (before it), so the id is filtered through a window too (the
    maximum id of a partition of one row is the row's id)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Epic.objects.open()
        .ranked()
        .annotate(
            position=Window(RowNumber(), order_by=list(RANK_ORDER)),
            same_id=Window(Max("id"), partition_by=[F("id")]),
        )
        .filter(same_id__in=ids)
        .values_list("id", "position")
    )
    return dict(rows)


def epic_ids_ranked_open() -> list[int]:
    """Open epics' ids in portfolio WSJF order (position 1 first)."""
    return list(Epic.objects.open().ranked().values_list("id", flat=True))


def epics_blocked(*, limit: int = 20) -> list[dict]:
    """Open epics waiting on another epic that is not done: an unresolved dependency whose
    other epic is still open. One query, in rank order, one row per blocking pair."""
    return list(
        Dependency.objects.filter(resolved=False, epic__state__in=OPEN_STATES)
        .exclude(depends_on__state=EpicState.DONE)
        .order_by("epic__key", "depends_on__key")
        .values("epic_id", "epic__key", "epic__title", "depends_on__key", "depends_on__title", "needed_by")[:limit]
    )
