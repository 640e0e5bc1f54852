"""The bell, the list, mark as read (one and all, htmx and plain), preferences; constant query
counts for the bell and the list."""

import pytest
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from tests.factories_notify import NotificationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_every_page_loads_the_bell_after_itself(client, executive):
    client.force_login(executive)
    body = client.get(reverse("vmo-home")).content.decode()
    assert f'hx-get="{reverse("notification-bell")}"' in body
    assert f'href="{reverse("notification-list")}"' in body  # works without JavaScript


def test_the_bell_counts_unread_notices_of_the_user(client, executive, director):
    NotificationFactory.create_batch(3, user=executive)
    NotificationFactory(user=executive, read_at="2026-08-01T00:00Z")
    NotificationFactory(user=director)
    client.force_login(executive)
    body = client.get(reverse("notification-bell"), **HTMX).content.decode()
    assert '<span class="badge" id="notification-count">3</span>' in body
    assert "<html" not in body


def test_the_bell_without_unread_notices_shows_no_count(client, executive):
    client.force_login(executive)
    body = client.get(reverse("notification-bell"), **HTMX).content.decode()
    assert 'id="notification-bell"' in body
    assert "notification-count" not in body


@pytest.mark.parametrize("count", [1, 40])
def test_the_bell_costs_the_same_queries_whatever_the_count(client, executive, django_assert_num_queries, count):
    NotificationFactory.create_batch(count, user=executive)
    client.force_login(executive)
    # Session, user, then one COUNT.
    with django_assert_num_queries(3):
        client.get(reverse("notification-bell"), **HTMX)


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_costs_the_same_queries_whatever_the_count(client, executive, django_assert_num_queries, count):
    NotificationFactory.create_batch(count, user=executive)
    client.force_login(executive)
    # Session, user, the notices, the unread count, the user menu's roles (base.html).
    with django_assert_num_queries(5):
        response = client.get(reverse("notification-list"))
    assert response.content.decode().count('class="unread"') == count


def test_the_list_shows_only_the_users_notices(client, executive, director):
    NotificationFactory(user=executive, title="Mine")
    NotificationFactory(user=director, title="Theirs")
    client.force_login(executive)
    body = client.get(reverse("notification-list")).content.decode()
    assert "Mine" in body and "Theirs" not in body


def test_marking_one_read_with_htmx_swaps_the_row_and_the_bell(client, executive):
    notice, other = NotificationFactory.create_batch(2, user=executive)
    client.force_login(executive)
    response = client.post(reverse("notification-read", args=[notice.id]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'<tr id="notification-{notice.id}">' in body
    assert 'id="notification-bell" class="notification-bell" hx-swap-oob="true"' in body
    assert '<span class="badge" id="notification-count">1</span>' in body
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("id", flat=True)) == [other.id]


def test_marking_one_read_without_htmx_redirects(client, executive):
    notice = NotificationFactory(user=executive)
    client.force_login(executive)
    response = client.post(reverse("notification-read", args=[notice.id]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_marks_anothers_notice_read(client, executive, director):
    notice = NotificationFactory(user=director)
    client.force_login(executive)
    assert client.post(reverse("notification-read", args=[notice.id])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_touches_only_the_users_notices(client, executive, director):
    NotificationFactory.create_batch(2, user=executive)
    theirs = NotificationFactory(user=director)
    client.force_login(executive)
    response = client.post(reverse("notification-read-all"), **HTMX)
    body = response.content.decode()
    assert '<section id="notices">' in body and "<html" not in body
    assert "0 unread" in body
    assert Notification.objects.filter(user=executive, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_needs_a_post(client, executive):
    notice = NotificationFactory(user=executive)
    client.force_login(executive)
    assert client.get(reverse("notification-read", args=[notice.id])).status_code == 405
    assert client.get(reverse("notification-read-all")).status_code == 405


def test_preferences_page_saves_kinds_and_email(client, executive):
    client.force_login(executive)
    assert client.get(reverse("notification-preferences")).status_code == 200
    response = client.post(reverse("notification-preferences"), {"kinds": ["action_overdue", "rollup"]})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=executive)
    assert preference.email_digest is False
    assert preference.muted_kinds == ["cost_deviation", "go_decision", "guardrail_drift", "kr_check_in", "no_release"]
    body = client.get(reverse("notification-preferences")).content.decode()
    assert 'value="action_overdue" id="id_kinds_2" checked>' in body
    assert 'value="go_decision" id="id_kinds_4">' in body


def test_preferences_refuse_an_unknown_kind(client, executive):
    client.force_login(executive)
    response = client.post(reverse("notification-preferences"), {"kinds": ["bogus"], "email_digest": "on"})
    assert response.status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_pages_need_a_login(client):
    for name in ("notification-list", "notification-bell", "notification-preferences", "report-schedules"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
