"""The role groups and their model permissions (data migration vmo.0002_roles)."""

import pytest
from django.contrib.auth.models import Group

from portfolio import roles
from portfolio.permissions import can_manage_value_stream, is_director
from tests.factories import UserFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_four_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (roles.DIRECTOR, {"funding.change_allocation", "funding.change_quarterbudget", "portfolio.change_epic"}, set()),
        (
            roles.VALUE_STREAM_MANAGER,
            {"portfolio.change_epic", "okrs.add_checkin", "funding.add_spend", "portfolio.add_workitem"},
            {"funding.change_allocation", "funding.change_quarterbudget", "vmo.add_planningevent"},
        ),
        (
            roles.EXECUTIVE,
            {"vmo.add_actionitem", "funding.view_allocation"},
            {"portfolio.change_epic", "funding.add_spend"},
        ),
        (
            roles.PROGRAM_MANAGER,
            {"vmo.add_planningevent", "vmo.add_actionitem", "portfolio.change_risk"},
            {"funding.change_allocation", "portfolio.change_epic"},
        ),
    ],
)
def test_role_permissions(role, allowed, denied):
    granted = perms(role)

    assert allowed <= granted
    assert not (denied & granted)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_no_role_may_delete_financial_rows(role):
    financial = {"quarterbudget", "allocation", "spend", "scenario", "budgetrevision", "epicestimate"}

    deletes = {p.split(".delete_")[1] for p in perms(role) if ".delete_" in p}

    assert not (deletes & financial)


def test_every_role_reads_every_model_of_ours():
    for role in roles.ALL_ROLES:
        assert {
            "portfolio.view_epic",
            "funding.view_allocation",
            "okrs.view_keyresult",
            "vmo.view_actionitem",
        } <= perms(role)


def test_a_vsm_manages_only_their_own_value_streams(vsm, value_stream, other_value_stream):
    assert can_manage_value_stream(vsm, value_stream.id) is True
    assert can_manage_value_stream(vsm, other_value_stream.id) is False


def test_a_manager_without_the_vsm_role_manages_nothing():
    user = UserFactory(roles=[roles.EXECUTIVE])
    stream = ValueStreamFactory(managers=[user])

    assert can_manage_value_stream(user, stream.id) is False


def test_directors_manage_every_value_stream(director, value_stream):
    assert is_director(director) is True
    assert can_manage_value_stream(director, value_stream.id) is True
