"""Reads for the global search (/search/): the kinds portfolio owns, epics, value streams and
people. Each kind is one query: a window count carries the number of matches on the few rows
returned, so a page of results costs the same whatever the number of rows."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Window

from portfolio.models import Epic, ValueStream

# Longest query looked at, and most words in it: a 10 kB paste is searched by its start.
MAX_QUERY_LENGTH = 100
MAX_TERMS = 5


@dataclass
class Found:
    """Matches of one kind: `total` matches, the best `items` of them."""

    total: int = 0
    items: list = field(default_factory=list)


def search_terms(text: str) -> list[str]:
    """The words of a typed query, cleaned: control characters (a NUL would make PostgreSQL
    refuse the query) become spaces, the length and number of words are capped."""
    cleaned = "".join(char if char.isprintable() else " " for char in text[: MAX_QUERY_LENGTH * 2])
    return cleaned[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def matching(terms: list[str], *fields: str) -> Q:
    """Every term found in at least one of `fields` (case-insensitive)."""
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    return condition


def found(queryset: QuerySet, *, limit: int) -> Found:
    """The first `limit` rows of `queryset` and the number of all its rows, in one query."""
    rows = list(queryset.annotate(search_total=Window(Count("pk")))[:limit])
    return Found(total=rows[0].search_total if rows else 0, items=rows)


def epic_search(*, terms: list[str], limit: int = 10) -> Found:
    """Epics (all states: the board and the epic pages show every epic) by key or title, best
    ranked first."""
    epics = Epic.objects.filter(matching(terms, "key", "title")).select_related("value_stream")
    return found(epics.ranked(), limit=limit)


def value_stream_search(*, terms: list[str], limit: int = 10) -> Found:
    """Active value streams (as the value streams page lists them) by name, by name."""
    streams = ValueStream.objects.active().filter(matching(terms, "name"))
    return found(streams.order_by("name", "id"), limit=limit)


def person_search(*, terms: list[str], limit: int = 10) -> Found:
    """Active users by first name, last name or username (as owner pickers offer them)."""
    people = (
        get_user_model().objects.filter(is_active=True).filter(matching(terms, "first_name", "last_name", "username"))
    )
    return found(people.order_by("first_name", "last_name", "username", "id"), limit=limit)
