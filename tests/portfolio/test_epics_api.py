"""`/api/mmps/`, `/api/dependencies/`, `/api/risks/`: writes per role, denied cases unchanged."""

import pytest

from portfolio.models import MMP, Dependency, Risk
from tests.factories import DependencyFactory, EpicFactory, MMPFactory, RiskFactory

pytestmark = pytest.mark.django_db


def test_vsm_adds_an_mvp_with_a_cost_to_their_epic(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).post(
        "/api/mmps/", {"epic": epic.id, "kind": "mvp", "title": "Pilot", "cost_estimate": "1000.10"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["cost_estimate"] == "1000.10"
    assert list(MMP.objects.values_list("epic_id", "kind", "cost_estimate_cents")) == [(epic.id, "mvp", 100010)]


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_add_or_change_mmps(api_as, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    mmp = MMPFactory(epic=EpicFactory(value_stream=value_stream), title="Before")

    created = api_as(user).post("/api/mmps/", {"epic": mmp.epic_id, "title": "x"}, format="json")
    changed = api_as(user).patch(f"/api/mmps/{mmp.id}/", {"title": "After"}, format="json")

    assert (created.status_code, changed.status_code) == (403, 403)
    assert list(MMP.objects.values_list("title", flat=True)) == ["Before"]


def test_a_vsm_cannot_move_an_mmp_to_an_epic_of_another_stream(api_as, vsm, value_stream, other_value_stream):
    mmp = MMPFactory(epic=EpicFactory(value_stream=value_stream))
    foreign = EpicFactory(value_stream=other_value_stream)

    response = api_as(vsm).patch(f"/api/mmps/{mmp.id}/", {"epic": foreign.id}, format="json")

    assert response.status_code == 403
    assert MMP.objects.get(id=mmp.id).epic_id == mmp.epic_id


def test_vsm_records_and_removes_a_dependency(api_as, vsm, value_stream, other_value_stream):
    epic = EpicFactory(value_stream=value_stream)
    other = EpicFactory(value_stream=other_value_stream)

    created = api_as(vsm).post("/api/dependencies/", {"epic": epic.id, "depends_on": other.id}, format="json")
    duplicate = api_as(vsm).post("/api/dependencies/", {"epic": epic.id, "depends_on": other.id}, format="json")
    removed = api_as(vsm).delete(f"/api/dependencies/{created.json()['id']}/")

    assert (created.status_code, duplicate.status_code, removed.status_code) == (201, 400, 204)
    assert Dependency.objects.count() == 0


def test_an_epic_cannot_depend_on_itself(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).post("/api/dependencies/", {"epic": epic.id, "depends_on": epic.id}, format="json")

    assert response.status_code == 400
    assert Dependency.objects.count() == 0


def test_other_vsm_cannot_add_or_delete_dependencies_of_the_stream(api_as, other_vsm, value_stream, other_value_stream):
    epic = EpicFactory(value_stream=value_stream)
    dependency = DependencyFactory(epic=epic, depends_on=EpicFactory(value_stream=other_value_stream))

    created = api_as(other_vsm).post(
        "/api/dependencies/", {"epic": epic.id, "depends_on": dependency.depends_on_id}, format="json"
    )
    deleted = api_as(other_vsm).delete(f"/api/dependencies/{dependency.id}/")

    assert (created.status_code, deleted.status_code) == (403, 403)
    assert list(Dependency.objects.values_list("id", flat=True)) == [dependency.id]


def test_a_risk_on_an_epic_belongs_to_the_epics_stream(api_as, vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    response = api_as(vsm).post(
        "/api/risks/", {"epic": epic.id, "title": "Vendor late", "roam_status": "owned", "owner": vsm.id}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert list(Risk.objects.values_list("value_stream_id", "epic_id", "roam_status")) == [
        (value_stream.id, epic.id, "owned")
    ]


def test_a_risk_needs_a_stream_or_an_epic(api_as, vsm):
    response = api_as(vsm).post("/api/risks/", {"title": "Vague"}, format="json")

    assert response.status_code == 400
    assert "value_stream" in response.json()


@pytest.mark.parametrize("persona", ["other_vsm", "executive"])
def test_others_cannot_raise_or_roam_risks(api_as, request, value_stream, persona):
    user = request.getfixturevalue(persona)
    risk = RiskFactory(value_stream=value_stream)

    created = api_as(user).post("/api/risks/", {"value_stream": value_stream.id, "title": "x"}, format="json")
    changed = api_as(user).patch(f"/api/risks/{risk.id}/", {"roam_status": "accepted"}, format="json")

    assert (created.status_code, changed.status_code) == (403, 403)
    assert list(Risk.objects.values_list("roam_status", flat=True)) == ["open"]


def test_risks_filter_by_roam_status(api_as, executive, value_stream):
    RiskFactory(value_stream=value_stream, title="A", roam_status="mitigated")
    RiskFactory(value_stream=value_stream, title="B")

    rows = api_as(executive).get("/api/risks/?roam_status=mitigated").json()["results"]

    assert [r["title"] for r in rows] == ["A"]


@pytest.mark.parametrize("value_stream_id", ["99999999999999999999999", "2.5"])
def test_an_mmp_value_stream_filter_that_is_no_id_gets_400_not_500(api_as, executive, value_stream_id):
    # (Found by the API fuzzer: a number beyond 64 bits reached SQLite and raised OverflowError.)
    response = api_as(executive).get(f"/api/mmps/?value_stream={value_stream_id}")

    assert response.status_code == 400
    assert list(response.json()) == ["value_stream"]


def test_program_manager_records_risks_and_dependencies_but_removes_none(
    api_as, program_manager, value_stream, other_value_stream
):
    epic = EpicFactory(value_stream=value_stream)
    other = EpicFactory(value_stream=other_value_stream)
    pm = api_as(program_manager)

    dependency = pm.post("/api/dependencies/", {"epic": epic.id, "depends_on": other.id}, format="json")
    risk = pm.post("/api/risks/", {"epic": epic.id, "title": "Vendor late"}, format="json")
    roamed = pm.patch(f"/api/risks/{risk.json()['id']}/", {"roam_status": "owned"}, format="json")
    removed = pm.delete(f"/api/dependencies/{dependency.json()['id']}/")

    assert (dependency.status_code, risk.status_code, roamed.status_code) == (201, 201, 200)
    assert removed.status_code == 403
    assert list(Dependency.objects.values_list("epic_id", "depends_on_id")) == [(epic.id, other.id)]
    assert list(Risk.objects.values_list("title", "roam_status", "value_stream_id")) == [
        ("Vendor late", "owned", value_stream.id)
    ]
