"""Issue 20 pages and API: impediments, feedback, the executive action team, increments, people
and trains on the value stream page, escalated impediments on the overview and in the monthly
report; denied writes answer 403 and change nothing; pages run a constant number of queries."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import EpicFactory, TeamFactory, UserFactory
from tests.factories_people import (
    CustomerFeedbackFactory,
    ExecutiveActionTeamFactory,
    ImpedimentFactory,
    PIObjectiveFactory,
    ProgramIncrementFactory,
    ReleaseTrainFactory,
    StreamRoleFactory,
)
from vmo.models import AgendaItem, PlanningEvent
from vmo.models_people import CustomerFeedback, ExecutiveActionTeam, Impediment, PIObjective, StreamRole

pytestmark = pytest.mark.django_db


def _rows(model):
    return list(model.objects.order_by("id").values())


# --- pages --------------------------------------------------------------------------------------


def test_anyone_raises_an_impediment_on_the_page(client, value_stream):
    client.force_login(UserFactory(username="nora"))

    response = client.post(
        "/vmo/impediments/", {"title": "No test data", "value_stream": value_stream.id, "severity": 2}
    )

    assert response.status_code == 302
    assert list(Impediment.objects.values_list("title", "raised_by__username", "severity")) == [
        ("No test data", "nora", 2)
    ]


def test_bad_impediment_input_is_a_400_that_writes_nothing(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post("/vmo/impediments/", {"title": "", "value_stream": value_stream.id, "severity": 9})

    assert response.status_code == 400
    assert Impediment.objects.count() == 0


def test_a_program_manager_escalates_from_the_page_and_the_executive_sees_it_on_the_overview(
    client, program_manager, executive, current_quarter, value_stream
):
    ExecutiveActionTeamFactory(quarter=current_quarter)
    impediment = ImpedimentFactory(value_stream=value_stream, title="No test environment")
    client.force_login(program_manager)

    assert client.post(f"/vmo/impediments/{impediment.id}/escalate/").status_code == 302

    client.force_login(executive)
    overview = client.get(f"/?quarter={current_quarter.code}").content.decode()
    assert 'id="escalated-impediments"' in overview
    assert "No test environment" in overview
    eat_page = client.get("/vmo/executive-action-team/").content.decode()
    assert "No test environment" in eat_page


@pytest.mark.parametrize("who", ["vsm", "executive"])
def test_escalating_on_the_page_is_refused_to_others(client, request, who, current_quarter, value_stream):
    ExecutiveActionTeamFactory(quarter=current_quarter)
    impediment = ImpedimentFactory(value_stream=value_stream)
    before = _rows(Impediment)
    client.force_login(request.getfixturevalue(who))

    assert client.post(f"/vmo/impediments/{impediment.id}/escalate/").status_code == 403
    assert _rows(Impediment) == before


def test_executive_action_team_page_set_by_an_executive_refused_to_a_pm(
    client, executive, program_manager, current_quarter
):
    client.force_login(program_manager)
    assert client.post("/vmo/executive-action-team/", {"charter": "Mine"}).status_code == 403
    assert ExecutiveActionTeam.objects.count() == 0

    client.force_login(executive)
    response = client.post("/vmo/executive-action-team/", {"charter": "Remove blockers", "members": [executive.id]})

    assert response.status_code == 302
    assert list(ExecutiveActionTeam.objects.values_list("quarter__code", "charter")) == [
        (current_quarter.code, "Remove blockers")
    ]


def test_feedback_page_records_and_refuses(client, vsm, other_vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream, key="PAY-7")
    data = {"epic": epic.id, "source": "NPS", "received_on": "2026-07-03", "sentiment": "neutral", "quote": "Fine"}
    client.force_login(other_vsm)
    assert client.post("/vmo/feedback/", data).status_code == 403
    assert CustomerFeedback.objects.count() == 0

    client.force_login(vsm)
    assert client.post("/vmo/feedback/", data).status_code == 302
    page = client.get("/vmo/feedback/").content.decode()
    assert "PAY-7" in page and "Fine" in page


def test_value_stream_page_shows_people_and_trains(client, executive, value_stream, quarter):
    team = TeamFactory(value_stream=value_stream, name="Rails")
    StreamRoleFactory(value_stream=value_stream, user=UserFactory(username="lia", first_name="Lia", last_name="Son"))
    StreamRoleFactory(value_stream=value_stream, team=team, role="product_owner", user=UserFactory(username="paula"))
    train = ReleaseTrainFactory(value_stream=value_stream, name="Payments ART")
    train.teams.set([team])
    pi = ProgramIncrementFactory(train=train, name="PI 26.3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 8))
    PIObjectiveFactory(increment=pi, planned_value=8, actual_value=6)
    client.force_login(executive)

    page = client.get(f"/value-streams/payments/?quarter={quarter.code}").content.decode()

    assert "Lia Son" in page
    assert "Product owner" in page
    assert "Payments ART" in page and "PI 26.3" in page
    # 6 of 8 planned business value, floored like every percentage
    assert "75%" in page
    assert "Give a role" not in page  # an executive reads; the stream's managers change


def test_roles_and_trains_on_the_value_stream_page_are_the_managers(client, vsm, other_vsm, value_stream):
    person = UserFactory()
    client.force_login(other_vsm)
    assert (
        client.post("/value-streams/payments/roles/", {"person": person.id, "role": "vmo_liaison"}).status_code == 403
    )
    assert client.post("/value-streams/payments/trains/", {"name": "ART"}).status_code == 403
    assert StreamRole.objects.count() == 0

    client.force_login(vsm)
    assert (
        client.post("/value-streams/payments/roles/", {"person": person.id, "role": "vmo_liaison"}).status_code == 302
    )
    assert client.post("/value-streams/payments/trains/", {"name": "ART"}).status_code == 302
    assert list(StreamRole.objects.values_list("role", flat=True)) == ["vmo_liaison"]


def test_increment_page_scores_objectives_for_the_streams_managers(client, vsm, other_vsm, value_stream):
    objective = PIObjectiveFactory(
        increment=ProgramIncrementFactory(train=ReleaseTrainFactory(value_stream=value_stream))
    )
    client.force_login(other_vsm)
    assert client.post(f"/vmo/objectives/{objective.id}/score/", {"actual_value": 4}).status_code == 403

    client.force_login(vsm)
    assert client.post(f"/vmo/objectives/{objective.id}/score/", {"actual_value": 11}).status_code == 400
    assert client.post(f"/vmo/objectives/{objective.id}/score/", {"actual_value": 4}).status_code == 302
    objective.refresh_from_db()
    assert objective.actual_value == 4
    page = client.get(f"/vmo/increments/{objective.increment_id}/").content.decode()
    assert "80%" in page  # 4 of 5


def test_vmo_sync_page_lists_its_agenda_and_open_impediments(client, program_manager, quarter, value_stream):
    ImpedimentFactory(value_stream=value_stream, title="People too busy")
    client.force_login(program_manager)

    response = client.post(
        "/vmo/planning/",
        {"kind": "vmo_sync", "quarter": quarter.id, "title": "Weekly sync", "date": "2026-07-08"},
    )

    event = PlanningEvent.objects.get()
    assert response.status_code == 302
    assert AgendaItem.objects.filter(event=event, text="Open impediments: 1").exists()
    page = client.get(f"/vmo/planning/{event.id}/").content.decode()
    assert 'id="sync-impediments"' in page and "Escalate" in page


def test_monthly_report_lists_impediments_and_feedback(client, executive, value_stream):
    ImpedimentFactory(value_stream=value_stream, title="Still open", raised_on=dt.date(2026, 7, 2))
    ImpedimentFactory(
        value_stream=value_stream,
        title="Fixed in July",
        raised_on=dt.date(2026, 6, 2),
        resolved_on=dt.date(2026, 7, 20),
    )
    ImpedimentFactory(value_stream=value_stream, title="Raised in August", raised_on=dt.date(2026, 8, 2))
    CustomerFeedbackFactory(
        epic=EpicFactory(value_stream=value_stream), quote="July praise", received_on=dt.date(2026, 7, 9)
    )
    CustomerFeedbackFactory(
        epic=EpicFactory(value_stream=value_stream), quote="June gripe", received_on=dt.date(2026, 6, 9)
    )
    client.force_login(executive)

    page = client.get("/reports/monthly/?month=2026-07").content.decode()
    pdf = client.get("/reports/monthly.pdf?month=2026-07")

    assert "Still open" in page and "Fixed in July" in page and "Raised in August" not in page
    assert "July praise" in page and "June gripe" not in page
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Still open" in text and "July praise" in text and "Raised in August" not in text


def test_impediment_and_feedback_pages_run_a_constant_number_of_queries(
    client, executive, value_stream, current_quarter, django_assert_num_queries, django_assert_max_num_queries
):
    eat = ExecutiveActionTeamFactory(quarter=current_quarter)
    client.force_login(executive)

    def add(n):
        for _ in range(n):
            ImpedimentFactory(
                value_stream=value_stream,
                team=TeamFactory(value_stream=value_stream),
                raised_by=UserFactory(),
                owner=UserFactory(),
                escalated_to=eat,
                escalated_at=timezone.now(),
            )
            CustomerFeedbackFactory(epic=EpicFactory(value_stream=value_stream), recorded_by=UserFactory())

    add(1)
    client.get("/vmo/impediments/")
    counts = {}
    for path in ("/vmo/impediments/", "/vmo/feedback/", "/vmo/executive-action-team/"):
        with django_assert_max_num_queries(100) as captured:
            client.get(path)
        counts[path] = len(captured.captured_queries)
    add(10)
    for path, count in counts.items():
        with django_assert_num_queries(count):
            client.get(path)


# --- API ----------------------------------------------------------------------------------------


def test_api_raise_escalate_resolve(api_as, vsm, program_manager, executive, current_quarter, value_stream):
    eat = ExecutiveActionTeamFactory(quarter=current_quarter)

    raised = api_as(vsm).post(
        "/api/impediments/", {"title": "No tools", "value_stream": value_stream.id, "severity": 1}, format="json"
    )
    pk = raised.json()["id"]
    denied = api_as(vsm).post(f"/api/impediments/{pk}/escalate/")
    escalated = api_as(program_manager).post(f"/api/impediments/{pk}/escalate/")
    resolved = api_as(executive).post(f"/api/impediments/{pk}/resolve/", {"resolution": "Bought"}, format="json")

    assert (raised.status_code, denied.status_code, escalated.status_code, resolved.status_code) == (201, 403, 200, 200)
    assert escalated.json()["escalated_to"] == eat.id
    assert resolved.json()["resolution"] == "Bought"


def test_api_program_increments_carry_their_predictability(api_as, executive, value_stream):
    pi = ProgramIncrementFactory(train=ReleaseTrainFactory(value_stream=value_stream))
    PIObjectiveFactory(increment=pi, planned_value=8, actual_value=8)
    PIObjectiveFactory(increment=pi, planned_value=2, actual_value=1)
    empty = ProgramIncrementFactory(train=pi.train, start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 1))

    rows = {r["id"]: r for r in api_as(executive).get("/api/program-increments/").json()["results"]}

    assert (rows[pi.id]["planned_value"], rows[pi.id]["actual_value"], rows[pi.id]["predictability"]) == (10, 9, 0.9)
    assert (rows[empty.id]["planned_value"], rows[empty.id]["actual_value"], rows[empty.id]["predictability"]) == (
        0,
        None,
        None,
    )


def test_api_denied_writes_change_nothing(api_as, other_vsm, program_manager, value_stream, quarter):
    train = ReleaseTrainFactory(value_stream=value_stream)
    objective = PIObjectiveFactory(increment=ProgramIncrementFactory(train=train))
    before = (_rows(PIObjective), _rows(StreamRole), _rows(ExecutiveActionTeam))

    calls = [
        api_as(other_vsm).patch(f"/api/pi-objectives/{objective.id}/", {"actual_value": 9}, format="json"),
        api_as(other_vsm).post(
            "/api/stream-roles/",
            {"value_stream": value_stream.id, "user": other_vsm.id, "role": "vmo_liaison"},
            format="json",
        ),
        api_as(program_manager).post(
            "/api/executive-action-teams/", {"quarter": quarter.id, "charter": "Mine"}, format="json"
        ),
    ]

    assert [c.status_code for c in calls] == [403, 403, 403]
    assert (_rows(PIObjective), _rows(StreamRole), _rows(ExecutiveActionTeam)) == before


def test_api_lists_run_a_constant_number_of_queries(
    api_as, executive, value_stream, django_assert_num_queries, django_assert_max_num_queries
):
    client = api_as(executive)
    train = ReleaseTrainFactory(value_stream=value_stream)

    def add(n):
        for _ in range(n):
            pi = ProgramIncrementFactory(
                train=train,
                start=dt.date(2020, 1, 1),
                end=dt.date(2020, 2, 1),
                name=f"PI {len(train.increments.all()) + 100}",
            )
            PIObjectiveFactory(increment=pi, actual_value=2)
            ImpedimentFactory(value_stream=value_stream)
            CustomerFeedbackFactory(epic=EpicFactory(value_stream=value_stream))

    paths = ["/api/program-increments/", "/api/impediments/", "/api/customer-feedback/", "/api/pi-objectives/"]
    add(1)
    counts = {}
    for path in paths:
        client.get(path)
        with django_assert_max_num_queries(100) as captured:
            client.get(path)
        counts[path] = len(captured.captured_queries)
    add(8)
    for path in paths:
        with django_assert_num_queries(counts[path]):
            assert client.get(path).status_code == 200


def test_escalating_returns_to_the_page_it_came_from_if_it_is_ours(
    client, program_manager, current_quarter, value_stream
):
    ExecutiveActionTeamFactory(quarter=current_quarter)
    first, second = ImpedimentFactory(value_stream=value_stream), ImpedimentFactory(value_stream=value_stream)
    client.force_login(program_manager)

    ours = client.post(f"/vmo/impediments/{first.id}/escalate/", {"next": "/vmo/planning/7/"})
    theirs = client.post(f"/vmo/impediments/{second.id}/escalate/", {"next": "https://evil.example/"})

    assert (ours["Location"], theirs["Location"]) == ("/vmo/planning/7/", "/vmo/impediments/")


def test_value_stream_page_with_trains_runs_a_constant_number_of_queries(
    client, executive, value_stream, quarter, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(executive)

    def add_train(increments):
        train = ReleaseTrainFactory(value_stream=value_stream)
        train.teams.set([TeamFactory(value_stream=value_stream)])
        for n in range(increments):
            start = dt.date(2026, 1, 1) + dt.timedelta(days=40 * n)
            pi = ProgramIncrementFactory(train=train, start=start, end=start + dt.timedelta(days=30))
            PIObjectiveFactory(increment=pi, actual_value=3)
            StreamRoleFactory(value_stream=value_stream, team=train.teams.get(), role="team_member")

    add_train(1)
    url = f"/value-streams/payments/?quarter={quarter.code}"
    client.get(url)
    with django_assert_max_num_queries(100) as small:
        client.get(url)
    add_train(3)
    add_train(2)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
