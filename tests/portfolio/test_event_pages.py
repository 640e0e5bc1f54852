"""The directors' outbound events page: list, add, turn off/on, remove; everyone else 403."""

import pytest

from portfolio.models import EventDeliveryAttempt, EventSubscription
from tests.factories_outbound import EventDeliveryFactory, EventSubscriptionFactory

pytestmark = pytest.mark.django_db

# The same six queries whatever the number of subscriptions and log rows (session, user, role
# check, the subscriptions, the log with its deliveries and events, the page's shared reads).
PAGE_QUERIES = 6


def test_a_director_sees_subscriptions_and_the_delivery_log(client, director):
    subscription = EventSubscriptionFactory(name="ERP", url="https://erp.example.com/hook", secret="hidden-k3y")
    delivery = EventDeliveryFactory(subscription=subscription)
    EventDeliveryAttempt.objects.create(delivery=delivery, status_code=503, error="HTTP 503", duration_ms=12)
    client.force_login(director)

    response = client.get("/events/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "https://erp.example.com/hook" in body
    assert "HTTP 503" in body
    assert "hidden-k3y" not in body  # the secret is never shown


def test_a_director_adds_a_subscription(client, director):
    client.force_login(director)

    response = client.post(
        "/events/",
        {"name": "ERP", "url": "https://erp.example.com/", "secret": "k", "event_types": ["budget.approved"]},
    )

    assert response.status_code == 302
    assert list(EventSubscription.objects.values_list("name", "event_types", "created_by")) == [
        ("ERP", ["budget.approved"], director.pk)
    ]


@pytest.mark.parametrize("url", ["ftp://erp.example.com/", "file:///etc/passwd"])
def test_the_page_refuses_non_http_receivers(client, director, url):
    client.force_login(director)

    response = client.post("/events/", {"name": "x", "url": url, "secret": "k", "event_types": ["epic.moved"]})

    assert response.status_code == 400
    assert EventSubscription.objects.count() == 0


def test_a_director_turns_a_subscription_back_on_and_removes_one(client, director):
    off = EventSubscriptionFactory(active=False, consecutive_failures=20, disabled_reason="Disabled after 20")
    gone = EventSubscriptionFactory()
    client.force_login(director)

    assert client.post(f"/events/{off.pk}/", {"active": "1"}).status_code == 302
    assert client.post(f"/events/{gone.pk}/", {"delete": "1"}).status_code == 302

    off.refresh_from_db()
    assert (off.active, off.consecutive_failures) == (True, 0)
    assert list(EventSubscription.objects.values_list("pk", flat=True)) == [off.pk]


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_others_are_refused_and_nothing_changes(client, request, persona):
    subscription = EventSubscriptionFactory(name="ERP")
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/events/").status_code == 403
    add = {"name": "x", "url": "https://x.example.com/", "secret": "k", "event_types": ["epic.moved"]}
    assert client.post("/events/", add).status_code == 403
    assert client.post(f"/events/{subscription.pk}/", {"active": "0"}).status_code == 403
    assert client.post(f"/events/{subscription.pk}/", {"delete": "1"}).status_code == 403

    assert list(EventSubscription.objects.values_list("name", "active")) == [("ERP", True)]


@pytest.mark.parametrize("rows", [1, 6])
def test_the_page_has_constant_queries(client, director, django_assert_num_queries, rows):
    for _ in range(rows):
        EventDeliveryAttempt.objects.create(delivery=EventDeliveryFactory(), status_code=200)
    client.force_login(director)

    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/events/").status_code == 200
