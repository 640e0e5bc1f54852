import pytest

from kanban.policies import funding_policy
from tests.kanban.fake_policy import FakeFundingPolicy


@pytest.fixture
def fake_funding(settings):
    """Plug the fake funding policy in (and out again: `funding_policy` is cached)."""
    settings.KANBAN_FUNDING_POLICY = "tests.kanban.fake_policy.FakeFundingPolicy"
    funding_policy.cache_clear()
    FakeFundingPolicy.overrides = []
    FakeFundingPolicy.room = False
    FakeFundingPolicy.threshold_cents = 1_000_000_00
    yield FakeFundingPolicy
    funding_policy.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    funding_policy.cache_clear()
    yield
    funding_policy.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _role_groups_exist(django_db_setup, django_db_blocker):
    """The concurrency tests are transactional: their teardown flushes every table, the role
    groups of the `vmo` data migration too, and `--reuse-db` keeps that flushed database for the
    next session. Recreate the groups (by name; our rules check names only) so a rerun works."""
    from django.contrib.auth.models import Group

    from portfolio import roles

    with django_db_blocker.unblock():
        for name in roles.ALL_ROLES:
            Group.objects.get_or_create(name=name)
