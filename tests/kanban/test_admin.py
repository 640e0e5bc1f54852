"""Admin pages for epics and the Kanban load, and the transition log cannot be edited there."""

import pytest

from tests.factories import EpicFactory, MMPFactory, RiskFactory, TransitionFactory, UserFactory, WipLimitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/portfolio/epic/",
        "/admin/portfolio/mmp/",
        "/admin/portfolio/dependency/",
        "/admin/portfolio/risk/",
        "/admin/kanban/wiplimit/",
        "/admin/kanban/transition/",
    ],
)
def test_admin_lists_load(client, path):
    epic = EpicFactory()
    MMPFactory(epic=epic)
    RiskFactory(value_stream=epic.value_stream, epic=epic)
    WipLimitFactory()
    TransitionFactory(epic=epic)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get(path).status_code == 200


def test_transitions_cannot_be_changed_in_admin(client):
    transition = TransitionFactory()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(f"/admin/kanban/transition/{transition.id}/change/", {"reason": "rewritten"})

    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.reason == ""
