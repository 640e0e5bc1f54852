"""The global search (/search/): epics, key results, value streams, action items and people,
each kind read through its owning app's selector, grouped with counts. One query per kind."""

from dataclasses import dataclass

from okrs.selectors import key_result_search
from portfolio.selectors.search import (
    Found,
    epic_search,
    found,
    matching,
    person_search,
    search_terms,
    value_stream_search,
)
from vmo.models import ActionItem

PER_KIND = 10


@dataclass
class SearchResults:
    """What a query found, per kind (in the order the page shows them)."""

    terms: list[str]
    epics: Found
    key_results: Found
    value_streams: Found
    action_items: Found
    people: Found

    @property
    def total(self) -> int:
        return sum(kind.total for kind in self.kinds())

    def kinds(self) -> list[Found]:
        return [self.epics, self.key_results, self.value_streams, self.action_items, self.people]


def action_item_search(*, terms: list[str], limit: int = PER_KIND) -> Found:
    """Action items by title or description (the VMO backlog shows every item to everyone),
    in backlog order."""
    items = ActionItem.objects.filter(matching(terms, "title", "description")).select_related("owner")
    return found(items.order_by("rank", "priority", "due", "id"), limit=limit)


def site_search(*, text: str) -> SearchResults | None:
    """Everything matching the words of `text`; None when it has no words (the page then shows
    a hint). Five queries whatever the number of rows."""
    terms = search_terms(text)
    if not terms:
        return None
    return SearchResults(
        terms=terms,
        epics=epic_search(terms=terms, limit=PER_KIND),
        key_results=key_result_search(terms=terms, limit=PER_KIND),
        value_streams=value_stream_search(terms=terms, limit=PER_KIND),
        action_items=action_item_search(terms=terms, limit=PER_KIND),
        people=person_search(terms=terms, limit=PER_KIND),
    )
