"""Keep the role groups in the reused test database after transactional tests.

A `transaction=True` test ends with a flush of every table; Django's post-migrate signal brings
the permissions back (unless the flush was for a serialized rollback) but not the role groups
made by the `vmo` data migration, so the next session (the suite runs with --reuse-db) would
find no groups. At the end of the session, put them back as the migration defines them.
"""

import pytest


def _restore_roles() -> None:
    from django.core.management.sql import emit_post_migrate_signal

    from vmo.roles import role_groups_ensure

    # Content types and permissions (a serialized-rollback flush skips post_migrate).
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    role_groups_ensure()


@pytest.fixture(scope="session", autouse=True)
def _roles_survive_flushes(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _restore_roles()


@pytest.fixture(scope="module")
def roles_back_after_module(django_db_setup, django_db_blocker):
    """For modules of transactional tests: the flush after their last test removes the role
    groups, which tests in later modules expect; put them back when the module is done."""
    yield
    with django_db_blocker.unblock():
        _restore_roles()
