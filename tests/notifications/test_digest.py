"""Preferences and the daily e-mail digest."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from notifications.models import NoticeKind, Notification, NotificationPreference
from notifications.services import notifications_digest_send, notifications_evaluate, preference_update
from notifications.tasks import notifications_digest_task, notifications_evaluate_task
from tests.factories import ActionItemFactory, EpicFactory, UserFactory
from tests.factories_notify import NotificationFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 8, 15, 10, 0, tzinfo=dt.UTC)


def test_a_muted_kind_is_never_stored(executive, director, value_stream):
    preference_update(user=executive, muted_kinds=[NoticeKind.ACTION_OVERDUE], email_digest=True)
    ActionItemFactory(owner=executive, due=dt.date(2026, 8, 1))
    ActionItemFactory(owner=director, due=dt.date(2026, 8, 1))
    notifications_evaluate(now=NOW)
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["dora_director"]


def test_unmuting_brings_the_notice_at_the_next_run(executive):
    preference_update(user=executive, muted_kinds=[NoticeKind.ACTION_OVERDUE], email_digest=True)
    ActionItemFactory(owner=executive, due=dt.date(2026, 8, 1))
    notifications_evaluate(now=NOW)
    preference_update(user=executive, muted_kinds=[], email_digest=True)
    notifications_evaluate(now=NOW)
    assert Notification.objects.filter(user=executive).count() == 1


def test_an_unknown_kind_is_refused_and_changes_nothing(executive):
    with pytest.raises(ValidationError):
        preference_update(user=executive, muted_kinds=["bogus"], email_digest=False)
    assert NotificationPreference.objects.count() == 0


def test_the_digest_carries_every_new_notice_of_a_user_once(director, executive, mailoutbox, settings):
    settings.SITE_URL = "https://vmo.example.org"
    EpicFactory(key="PAY-7", title="Instant refunds", state="analyzing", estimated_cost_cents=1_00)
    ActionItemFactory(owner=director, due=dt.date(2026, 8, 1), title="Call the bank")
    notifications_evaluate(now=NOW)
    result = notifications_digest_send(now=NOW)
    assert (result.emails, result.notices) == (1, 2)
    [mail] = mailoutbox
    assert mail.to == ["dora_director@example.org"]
    assert mail.subject == "VMO: 2 new notifications"
    assert "- [Overdue action item] Action item overdue since 2026-08-01: Call the bank" in mail.body
    assert "- [Epic waiting for a go decision] PAY-7 waits for a go decision: Instant refunds" in mail.body
    assert "https://vmo.example.org/kanban/epics/PAY-7/" in mail.body
    assert "https://vmo.example.org/notifications/preferences/" in mail.body
    # A second run the same day sends nothing more.
    assert notifications_digest_send(now=NOW).emails == 0
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_the_digest_respects_the_email_switch_and_missing_addresses(executive, mailoutbox):
    preference_update(user=executive, muted_kinds=[], email_digest=False)
    NotificationFactory(user=executive)
    NotificationFactory(user=UserFactory(username="no_mail", email=""))
    wants = NotificationFactory(user=UserFactory(username="wants_mail"))
    assert notifications_digest_send(now=NOW).emails == 1
    assert [m.to for m in mailoutbox] == [["wants_mail@example.org"]]
    # The notices not mailed stay in-app and unmailed.
    assert set(Notification.objects.filter(emailed_at__isnull=True).values_list("user__username", flat=True)) == {
        "eve_exec",
        "no_mail",
    }
    assert Notification.objects.get(id=wants.id).emailed_at == NOW


def test_a_failed_send_keeps_the_notices_for_the_next_run(executive, mailoutbox, monkeypatch):
    NotificationFactory(user=executive)

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", broken)
        assert notifications_digest_send(now=NOW).emails == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    assert notifications_digest_send(now=NOW).emails == 1
    assert len(mailoutbox) == 1


def test_the_beat_tasks_run_the_services(executive, mailoutbox):
    ActionItemFactory(owner=executive, due=dt.date(2000, 1, 1))
    assert notifications_evaluate_task.apply().get() == 1
    assert notifications_digest_task.apply().get() == {"emails": 1, "notices": 1}


def test_the_beat_schedule_names_the_tasks(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "notifications.tasks.notifications_evaluate_task",
        "notifications.tasks.notifications_digest_task",
        "notifications.tasks.report_schedules_send_task",
    } <= tasks
