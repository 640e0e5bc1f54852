"""Helpers for the transactional tests of this area (PostgreSQL races, Playwright).

A transactional test flushes every table when it ends: the role groups that `vmo`'s data
migration created go with them, and every later test that needs a role (or the demo seeder)
would fail. Post-migrate recreates content types and permissions after the flush, not groups,
so the modules with transactional tests call `restore_role_groups` once they are done.
"""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission


def restore_role_groups() -> None:
    """Recreate the role groups with the model permissions the data migration gives them."""
    migration = importlib.import_module("vmo.migrations.0002_roles")
    view_perms = list(
        Permission.objects.filter(content_type__app_label__in=migration.OUR_APPS, codename__startswith="view_")
    )
    for role, writes in migration.WRITES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(view_perms)
        for app_label, models in writes.items():
            for model, actions in models.items():
                for action in actions.split():
                    perms.extend(
                        Permission.objects.filter(content_type__app_label=app_label, codename=f"{action}_{model}")
                    )
        group.permissions.set(perms)


@pytest.fixture(scope="module")
def role_groups_restored_after(django_db_setup, django_db_blocker):
    """Module-scoped, so its teardown runs after the last test's flush."""
    yield
    with django_db_blocker.unblock():
        restore_role_groups()
