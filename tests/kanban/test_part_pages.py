"""Pages for MVPs/MMPs, risks (ROAM) and dependencies, from the epic page and the planning
workspace: each write through the service that the API uses (the permission gate)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio.models import MMP, Dependency, Risk
from tests.factories import DependencyFactory, EpicFactory, MMPFactory, PlanningEventFactory, RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def epic(value_stream):
    return EpicFactory(key="PAY-1", value_stream=value_stream, title="Request to pay")


@pytest.fixture
def other_epic(other_value_stream):
    return EpicFactory(key="ONB-1", value_stream=other_value_stream, title="Instant onboarding")


def _field_block(html: str, name: str) -> str:
    """The markup of one field: its label, control, help and errors."""
    return html.split(f'for="id_{name}"', 1)[1].split("</div>", 1)[0]


# --- MVPs / MMPs ---------------------------------------------------------------------------------


def test_a_manager_adds_an_mvp_from_the_epic_page(client, vsm, epic):
    client.force_login(vsm)
    page = client.get("/kanban/epics/PAY-1/").content.decode()
    assert 'href="/kanban/mmps/new/?epic=PAY-1"' in page

    form = client.get("/kanban/mmps/new/?epic=PAY-1").content.decode()
    assert f'<option value="{epic.id}" selected>PAY-1 · Request to pay</option>' in form
    response = client.post(
        "/kanban/mmps/new/",
        {"epic": epic.id, "kind": "mvp", "title": "Pilot", "status": "planned", "cost_estimate_cents": "4,800,000.00"},
        follow=True,
    )

    assert response.redirect_chain == [("/kanban/epics/PAY-1/", 302)]
    assert list(MMP.objects.values_list("epic_id", "kind", "title", "cost_estimate_cents")) == [
        (epic.id, "mvp", "Pilot", 480_000_000)
    ]
    assert "MVP “Pilot” added to PAY-1." in response.content.decode()


def test_a_manager_edits_an_mmp(client, vsm, epic):
    mmp = MMPFactory(epic=epic, kind="mmp", title="First release", cost_estimate_cents=100_000)
    client.force_login(vsm)
    form = client.get(f"/kanban/mmps/{mmp.id}/").content.decode()
    assert 'value="1,000.00"' in form  # the money input shows grouping

    response = client.post(
        f"/kanban/mmps/{mmp.id}/",
        {
            "epic": epic.id,
            "kind": "mmp",
            "title": "First release",
            "status": "released",
            "released_on": "2026-08-03",
            "cost_estimate_cents": "1,250.50",
        },
    )

    assert response.status_code == 302
    mmp.refresh_from_db()
    assert (mmp.status, str(mmp.released_on), mmp.cost_estimate_cents) == ("released", "2026-08-03", 125_050)


def test_bad_mmp_input_is_a_400_with_the_message_next_to_the_field(client, vsm, epic):
    client.force_login(vsm)

    response = client.post(
        "/kanban/mmps/new/",
        {"epic": epic.id, "kind": "mvp", "title": "Pilot", "status": "planned", "cost_estimate_cents": "12.345"},
    )

    assert response.status_code == 400
    assert 'class="field-errors"' in _field_block(response.content.decode(), "cost_estimate_cents")
    assert MMP.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_cannot_add_or_edit_mmps(client, request, persona, epic):
    user = request.getfixturevalue(persona)
    mmp = MMPFactory(epic=epic, title="Before")
    client.force_login(user)
    data = {"epic": epic.id, "kind": "mvp", "title": "After", "status": "planned"}

    created = client.post("/kanban/mmps/new/", data)
    edited = client.post(f"/kanban/mmps/{mmp.id}/", data)
    opened = client.get(f"/kanban/mmps/{mmp.id}/")

    assert (created.status_code, edited.status_code, opened.status_code) == (403, 403, 403)
    assert list(MMP.objects.values_list("title", flat=True)) == ["Before"]


def test_a_manager_cannot_move_an_mmp_to_another_streams_epic(client, vsm, epic, other_epic):
    mmp = MMPFactory(epic=epic, title="Pilot")
    client.force_login(vsm)

    response = client.post(
        f"/kanban/mmps/{mmp.id}/", {"epic": other_epic.id, "kind": "mvp", "title": "Pilot", "status": "planned"}
    )

    assert response.status_code == 403
    assert MMP.objects.get().epic_id == epic.id


# --- risks -----------------------------------------------------------------------------------------


def test_the_program_manager_raises_a_risk_on_an_epic_from_the_epic_page(client, program_manager, epic):
    client.force_login(program_manager)
    page = client.get("/kanban/epics/PAY-1/").content.decode()
    assert 'href="/kanban/risks/new/?epic=PAY-1"' in page
    assert 'href="/kanban/dependencies/new/?epic=PAY-1"' in page
    assert "/kanban/mmps/new/" not in page  # MVPs/MMPs are the managers'

    response = client.post(
        "/kanban/risks/new/",
        {"title": "Scheme rules change", "epic": epic.id, "roam_status": "owned", "owner": program_manager.id},
        follow=True,
    )

    assert response.redirect_chain == [("/kanban/epics/PAY-1/", 302)]
    assert list(Risk.objects.values_list("value_stream_id", "epic_id", "roam_status", "owner_id")) == [
        (epic.value_stream_id, epic.id, "owned", program_manager.id)
    ]
    assert "Risk “Scheme rules change” recorded (Owned)." in response.content.decode()


def test_a_manager_raises_a_risk_on_the_whole_stream(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post(
        "/kanban/risks/new/", {"title": "Key people leave", "value_stream": value_stream.id, "roam_status": "open"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/value-streams/payments/"
    assert list(Risk.objects.values_list("value_stream_id", "epic_id", "title")) == [
        (value_stream.id, None, "Key people leave")
    ]


def test_the_program_manager_roams_a_risk(client, program_manager, epic):
    risk = RiskFactory(value_stream=epic.value_stream, epic=epic, title="Scheme rules change")
    client.force_login(program_manager)

    response = client.post(
        f"/kanban/risks/{risk.id}/", {"title": "Scheme rules change", "epic": epic.id, "roam_status": "mitigated"}
    )

    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.roam_status, risk.value_stream_id) == ("mitigated", epic.value_stream_id)


def test_a_risk_without_stream_or_epic_is_a_400_next_to_the_stream(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post("/kanban/risks/new/", {"title": "Vague", "roam_status": "open"})

    assert response.status_code == 400
    assert "Choose the value stream or the epic the risk is on." in _field_block(
        response.content.decode(), "value_stream"
    )
    assert Risk.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_vsm", "executive"])
def test_others_cannot_raise_or_edit_risks(client, request, persona, epic):
    user = request.getfixturevalue(persona)
    risk = RiskFactory(value_stream=epic.value_stream, epic=epic, title="Before")
    client.force_login(user)
    data = {"title": "After", "epic": epic.id, "roam_status": "accepted"}

    created = client.post("/kanban/risks/new/", data)
    edited = client.post(f"/kanban/risks/{risk.id}/", data)
    opened = client.get(f"/kanban/risks/{risk.id}/")

    assert (created.status_code, edited.status_code, opened.status_code) == (403, 403, 403)
    assert list(Risk.objects.values_list("title", "roam_status")) == [("Before", "open")]


# --- dependencies ----------------------------------------------------------------------------------


def test_the_program_manager_records_and_edits_a_dependency(client, program_manager, epic, other_epic):
    client.force_login(program_manager)

    created = client.post(
        "/kanban/dependencies/new/",
        {"epic": epic.id, "depends_on": other_epic.id, "needed_by": "2026-09-01", "description": "KYC API"},
    )
    dependency = Dependency.objects.get()
    form = client.get(f"/kanban/dependencies/{dependency.id}/").content.decode()
    edited = client.post(
        f"/kanban/dependencies/{dependency.id}/",
        {"epic": epic.id, "depends_on": other_epic.id, "needed_by": "2026-09-15", "resolved": "on"},
    )

    assert (created.status_code, edited.status_code) == (302, 302)
    dependency.refresh_from_db()
    assert (dependency.epic_id, dependency.depends_on_id, str(dependency.needed_by), dependency.resolved) == (
        epic.id,
        other_epic.id,
        "2026-09-15",
        True,
    )
    # the edit form opened with the row's own values
    assert 'value="2026-09-01"' in form and 'value="KYC API"' in form
    assert f'<option value="{other_epic.id}" selected>' in form


@pytest.mark.parametrize(
    ("depends_on", "message"),
    [("self", "An epic cannot depend on itself."), ("twin", "This dependency is already recorded.")],
)
def test_a_bad_dependency_is_a_400_next_to_depends_on(client, vsm, epic, other_epic, depends_on, message):
    DependencyFactory(epic=epic, depends_on=other_epic)
    client.force_login(vsm)
    target = epic if depends_on == "self" else other_epic

    response = client.post("/kanban/dependencies/new/", {"epic": epic.id, "depends_on": target.id})

    assert response.status_code == 400
    assert message in _field_block(response.content.decode(), "depends_on")
    assert Dependency.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_vsm", "executive"])
def test_others_cannot_record_or_edit_dependencies(client, request, persona, epic, other_epic):
    user = request.getfixturevalue(persona)
    third = EpicFactory(key="PAY-2", value_stream=epic.value_stream)
    dependency = DependencyFactory(epic=epic, depends_on=third)
    client.force_login(user)

    created = client.post("/kanban/dependencies/new/", {"epic": epic.id, "depends_on": other_epic.id})
    edited = client.post(
        f"/kanban/dependencies/{dependency.id}/", {"epic": epic.id, "depends_on": third.id, "resolved": "on"}
    )

    assert (created.status_code, edited.status_code) == (403, 403)
    assert list(Dependency.objects.values_list("depends_on_id", "resolved")) == [(third.id, False)]


def test_the_readers_see_no_write_links_on_the_epic_page(client, executive, epic):
    client.force_login(executive)

    page = client.get("/kanban/epics/PAY-1/").content.decode()

    assert "/kanban/risks/new/" not in page
    assert "/kanban/dependencies/new/" not in page
    assert "/kanban/mmps/new/" not in page


def test_the_new_pages_cost_the_same_queries_for_3_and_30_epics(client, director, value_stream):
    client.force_login(director)

    def count() -> list[int]:
        counts = []
        for path in ("/kanban/mmps/new/", "/kanban/risks/new/", "/kanban/dependencies/new/"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    EpicFactory.create_batch(3, value_stream=value_stream)
    few = count()
    EpicFactory.create_batch(27, value_stream=value_stream)

    assert count() == few


# --- from the planning workspace -----------------------------------------------------------------


def test_the_planning_workspace_links_the_forms_and_they_come_back(client, program_manager, epic, quarter):
    event = PlanningEventFactory(quarter=quarter)
    client.force_login(program_manager)
    workspace = f"/vmo/planning/{event.id}/"

    page = client.get(workspace).content.decode()
    response = client.post(
        "/kanban/risks/new/", {"title": "Vendor delay", "epic": epic.id, "roam_status": "open", "next": workspace}
    )

    assert f'href="/kanban/risks/new/?next={workspace}"' in page
    assert "/kanban/dependencies/new/?next=" in page
    assert "/kanban/mmps/new/" not in page  # the program manager adds no MVPs
    assert response["Location"] == workspace
    assert Risk.objects.get().title == "Vendor delay"


def test_an_outside_next_is_ignored(client, vsm, epic):
    client.force_login(vsm)

    response = client.post(
        "/kanban/risks/new/", {"title": "x", "epic": epic.id, "roam_status": "open", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/kanban/epics/PAY-1/"
