"""Helpers for the transactional tests of this area (PostgreSQL races, Playwright).

A transactional test flushes every table when it ends, the role groups of `vmo`'s data
migration with them; `vmo.roles.role_groups_ensure` brings them back.
"""

import pytest

from vmo.roles import role_groups_ensure as restore_role_groups

__all__ = ["restore_role_groups", "role_groups_restored_after"]


@pytest.fixture(scope="module")
def role_groups_restored_after(django_db_setup, django_db_blocker):
    """Module-scoped, so its teardown runs after the last test's flush."""
    yield
    with django_db_blocker.unblock():
        restore_role_groups()
