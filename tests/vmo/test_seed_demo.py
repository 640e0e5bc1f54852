"""`manage.py seed_demo` builds a believable organisation and is idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from portfolio.models import Quarter, StrategicTheme, ValueStream
from tests.conftest import DEMO_TEST_PASSWORD, DEMO_TEST_URL

# The module's tests share one seeded demo (`seeded_demo`: a minute or more on PostgreSQL); the
# idempotence test seeds once more.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]


def snapshot_of_demo_data() -> dict:
    from django.apps import apps

    counts = {
        f"{model._meta.label}": model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"portfolio", "funding", "okrs", "kanban", "vmo", "auth"}
    }
    counts["value_streams"] = list(ValueStream.objects.order_by("slug").values_list("id", "slug", "kind"))
    counts["quarters"] = list(Quarter.objects.values_list("code", "status"))
    return counts


def test_seed_demo_creates_users_streams_quarters_and_themes(seeded_demo):
    users = get_user_model().objects.filter(username__in=["director", "vsm", "executive", "pm"])
    assert users.count() == 4
    assert get_user_model().objects.get(username="vsm").groups.get().name == "Value Stream Manager"
    streams = ValueStream.objects.all()
    assert streams.count() == 8
    assert set(streams.filter(kind="support").values_list("slug", flat=True)) == {"hr", "finance"}
    assert ValueStream.objects.get(slug="payments").managers.get().username == "vsm"
    assert [q.status for q in Quarter.objects.order_by("start")] == ["closed", "active", "planning"]
    assert StrategicTheme.objects.count() == 4
    # the demo's metric-type KRs are bound: one per stream and quarter, read by the rollup only
    from okrs.models import CheckIn, KeyResult

    lead_time = KeyResult.objects.filter(title="Median lead time for changes")
    assert (lead_time.count(), set(lead_time.values_list("metric", flat=True))) == (16, {"lead_time"})
    assert CheckIn.objects.filter(key_result__in=lead_time, author__isnull=False).count() == 0
    assert "director" in seeded_demo
    assert "vsm2" in seeded_demo


def test_demo_password_comes_from_the_setting(seeded_demo):
    users = get_user_model().objects.filter(username__in=["director", "vsm", "executive", "pm"])

    assert [user.check_password(DEMO_TEST_PASSWORD) for user in users] == [True] * 4
    assert f"password '{DEMO_TEST_PASSWORD}'" in seeded_demo


def test_seed_demo_prints_the_address_it_is_given(seeded_demo):
    # `make run PORT=8101` passes its address: the printed link must be the one that answers.
    assert f"Log in at {DEMO_TEST_URL} with password '{DEMO_TEST_PASSWORD}' as:" in seeded_demo


def test_seed_demo_twice_gives_the_same_data(seeded_demo):
    first = snapshot_of_demo_data()

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    assert snapshot_of_demo_data() == first
