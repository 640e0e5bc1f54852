"""`core.urls.include_segments`: includes that turn away paths outside their first segments
resolve every path exactly as a plain include does."""

import pytest
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from django.utils.regex_helper import normalize

from core.urls import SegmentResolver, include_segments


def _segment_resolvers(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, SegmentResolver):
            yield prefix, pattern
        elif isinstance(pattern, URLResolver):
            yield from _segment_resolvers(pattern, prefix + str(pattern.pattern))


def _sample_paths(resolver):
    """One path per pattern of the include, its parameters filled the way `reverse` fills them."""
    for pattern in resolver.url_patterns:
        regex = pattern.pattern.regex.pattern
        for template, params in normalize(regex):
            yield template % {name: ("json" if name == "format" else "1") for name in params}


SEGMENTED = list(_segment_resolvers(get_resolver()))


def test_the_api_and_page_includes_are_segmented():
    modules = {resolver.urlconf_name.__name__ for _, resolver in SEGMENTED}

    assert {"portfolio.api.urls", "funding.api.urls", "okrs.api.urls", "kanban.api.urls", "vmo.api.urls"} <= modules
    assert {"kanban.urls", "funding.urls"} <= modules


@pytest.mark.parametrize(("prefix", "resolver"), SEGMENTED, ids=[r.urlconf_name.__name__ for _, r in SEGMENTED])
def test_every_pattern_resolves_as_through_a_plain_include(prefix, resolver):
    plain = URLResolver(RoutePattern("", is_endpoint=False), resolver.urlconf_name)
    paths = list(_sample_paths(resolver))

    assert paths
    for path in paths:
        expected = plain.resolve(path)
        got = resolver.resolve(path)
        assert (got.func, got.url_name, got.kwargs) == (expected.func, expected.url_name, expected.kwargs), path


def test_a_path_outside_the_segments_is_turned_away_at_once():
    resolver = next(r for _, r in SEGMENTED if r.urlconf_name.__name__ == "kanban.api.urls")

    assert "epics" in resolver.segments
    with pytest.raises(Resolver404) as refused:
        resolver.resolve("value-streams/")
    assert "tried" not in refused.value.args[0]


def test_the_site_resolves_api_pages_format_suffixes_and_404s():
    assert resolve("/api/epics/").url_name == "epic-list"
    assert resolve("/api/epics.json").kwargs == {"format": "json"}
    assert resolve("/api/epics/7/").kwargs == {"pk": "7"}
    assert resolve("/api/value-streams/").url_name == "value-stream-list"
    assert resolve("/kanban/").url_name == "kanban-board"
    assert resolve("/").url_name is not None
    with pytest.raises(Resolver404):
        resolve("/api/no-such-thing/")


def test_an_include_with_a_root_pattern_stays_plain():
    # vmo.urls serves the overview at "/": no first segment to turn paths away by
    assert type(include_segments("vmo.urls")) is URLResolver
    assert isinstance(include_segments("kanban.urls"), SegmentResolver)
