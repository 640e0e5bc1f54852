"""The global search at /search/ (issue 15 point 8): grouped by kind with counts, the same rows
for every reader, a constant number of queries, no 500 on odd input."""

import re

import pytest

from tests.factories import (
    ActionItemFactory,
    EpicFactory,
    KeyResultFactory,
    ObjectiveFactory,
    UserFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db


def _section(html: str, kind: str) -> str:
    return html.split(f'id="search-{kind}"', 1)[1].split("</section>", 1)[0]


def _count(html: str, kind: str) -> int:
    return int(re.search(r'<span class="badge">(\d+)</span>', _section(html, kind)).group(1))


@pytest.fixture
def findable(value_stream, quarter):
    """Things about "payments" of every kind, and things about something else."""
    EpicFactory(key="PAY-1", title="Instant payments", value_stream=value_stream)
    EpicFactory(key="PAY-2", title="Card controls", value_stream=value_stream)  # key matches "pay"
    EpicFactory(key="ONB-1", title="Video identification", value_stream=value_stream)
    objective = ObjectiveFactory(quarter=quarter, value_stream=value_stream, title="Faster payments")
    KeyResultFactory(objective=objective, title="Settle in 10 s")  # through its objective
    KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, title="Grow"), title="Payments volume +20%")
    KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, title="Grow"), title="Churn -5%")
    ValueStreamFactory(name="Retail lending", slug="retail-lending")
    ValueStreamFactory(name="Old payments", slug="old-payments", active=False)  # the list hides it
    ActionItemFactory(title="Review payments risks")
    ActionItemFactory(title="Book the room", description="For the payments demo")
    ActionItemFactory(title="Hire")
    UserFactory(username="pia", first_name="Pia", last_name="Payments")
    UserFactory(username="gone_payments", is_active=False)
    return value_stream


@pytest.mark.parametrize("persona", ["executive", "vsm", "director", "program_manager"])
def test_search_groups_what_matches_by_kind_with_counts_the_same_for_every_role(client, request, findable, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/search/?q=pay")

    html = response.content.decode()
    assert response.status_code == 200
    assert [_count(html, kind) for kind in ("epics", "key-results", "value-streams", "action-items", "people")] == [
        2,  # PAY-1 (key and title), PAY-2 (key)
        2,  # through its objective's title, and by its own title
        1,  # Payments (the fixture's); the inactive one is not listed
        2,  # by title, by description
        1,  # Pia Payments; the inactive account is not
    ]
    assert re.findall(r'href="/kanban/epics/([^/]+)/"', _section(html, "epics")) == ["PAY-1", "PAY-2"]
    assert 'href="/value-streams/payments/"' in _section(html, "value-streams")
    assert "Pia Payments" in _section(html, "people")
    assert "8 found for “pay”." in html


def test_every_word_must_match_in_some_field(client, executive, findable):
    client.force_login(executive)

    html = client.get("/search/?q=pia+PAYMENTS").content.decode()

    assert [_count(html, kind) for kind in ("epics", "key-results", "value-streams", "action-items", "people")] == [
        0,
        0,
        0,
        0,
        1,
    ]


def test_an_empty_query_shows_a_hint_and_no_results(client, executive, findable):
    client.force_login(executive)

    for url in ("/search/", "/search/?q=", "/search/?q=%20%20"):
        html = client.get(url).content.decode()
        assert ('id="search-hint"' in html, 'id="search-epics"' in html) == (True, False)


def test_nothing_found_says_so(client, executive, findable):
    client.force_login(executive)

    html = client.get("/search/?q=zebra").content.decode()

    assert "Nothing found for “zebra”." in html
    assert _count(html, "epics") == 0


@pytest.mark.parametrize(
    "query",
    ["%00", "pay%00ments", "a" * 10_000, "%25%5F", "' OR 1=1 --", "%F0%9F%92%B8", "x%0D%0Ay", "\\"],
)
def test_odd_input_is_answered_never_a_500(client, executive, findable, query):
    client.force_login(executive)

    response = client.get(f"/search/?q={query}")

    assert response.status_code == 200


def test_a_nul_is_a_space_and_a_long_query_is_cut(client, executive, findable):
    client.force_login(executive)

    html = client.get("/search/?q=PAY-1%00instant").content.decode()
    assert (_count(html, "epics"), "for “PAY-1 instant”" in html) == (1, True)

    html = client.get("/search/?q=" + "pay" + " " * 10 + "x" * 10_000).content.decode()
    assert "x" * 101 not in html


def test_percent_and_underscore_are_literal(client, executive, value_stream):
    EpicFactory(key="A-1", title="100% uptime", value_stream=value_stream)
    EpicFactory(key="A-2", title="1000 uptime", value_stream=value_stream)
    client.force_login(executive)

    html = client.get("/search/?q=0%25").content.decode()

    assert _count(html, "epics") == 1


def test_results_stop_at_ten_per_kind_with_the_full_count(client, executive, value_stream):
    for n in range(12):
        EpicFactory(key=f"PAY-{n}", title=f"Payments {n}", value_stream=value_stream)
    client.force_login(executive)

    html = client.get("/search/?q=pay").content.decode()

    assert _count(html, "epics") == 12
    assert len(re.findall(r'href="/kanban/epics/', _section(html, "epics"))) == 10
    assert 'href="/kanban/?q=pay">All 12 on the Kanban</a>' in html


# Session, user, the user menu's roles; then one query per kind (5).
@pytest.mark.parametrize("copies", [1, 15])
def test_search_takes_a_constant_number_of_queries(
    client, executive, value_stream, quarter, copies, django_assert_num_queries
):
    for n in range(copies):
        EpicFactory(key=f"PAY-{n}", title="Payments", value_stream=value_stream)
        KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=value_stream), title="Payments")
        ValueStreamFactory(name=f"Payments {n}")
        ActionItemFactory(title="Payments", owner=executive)
        UserFactory(first_name="Payments")
    client.force_login(executive)

    with django_assert_num_queries(8):
        response = client.get("/search/?q=payments")

    assert _count(response.content.decode(), "epics") == copies


def test_the_navigation_has_a_labelled_search_box(client, executive):
    client.force_login(executive)

    html = client.get("/kanban/").content.decode()

    assert '<form method="get" action="/search/" role="search"' in html
    assert '<label for="site-search-q"' in html
    assert 'id="site-search-q" name="q"' in html


def test_search_needs_login(client):
    response = client.get("/search/?q=pay")

    assert (response.status_code, response.url.startswith("/login/")) == (302, True)
