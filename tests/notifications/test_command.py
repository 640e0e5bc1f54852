import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from notifications.models import Notification
from tests.factories import ActionItemFactory

pytestmark = pytest.mark.django_db


def test_the_command_evaluates_and_mails_the_digest(executive, mailoutbox):
    ActionItemFactory(owner=executive, due=dt.date(2000, 1, 1))
    out = StringIO()
    call_command("notify", "--digest", "--reports", stdout=out)
    assert out.getvalue().splitlines() == ["Notices offered: 1", "Digests sent: 1 (1 notices)", "Reports sent: 0"]
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1
