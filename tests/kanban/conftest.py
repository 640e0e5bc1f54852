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
