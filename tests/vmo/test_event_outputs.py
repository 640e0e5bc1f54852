"""Issue 20: inspect and adapt (quarter results, system demo, problem-solving workshop with
improvement items, retrospective), retrospectives of the VMO or a team, agenda timeboxes with
planned vs actual time; pages, API and who may record them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    EpicFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PlanningEventFactory,
    TeamFactory,
    ValueStreamSnapshotFactory,
)
from tests.factories_rhythm import ProblemWorkshopFactory, RetroNoteFactory, SystemDemoFactory
from vmo.models import ActionItem, AgendaItem, PlanningEvent, ProblemWorkshop, RetroNote, SystemDemo
from vmo.selectors.event_outputs import agenda_timebox, quarter_results
from vmo.services import event_outputs as outputs
from vmo.services import planning as planning_services

pytestmark = pytest.mark.django_db


def _inspect_adapt(quarter, by=None, **kw):
    return planning_services.planning_event_create(
        kind="inspect_adapt", quarter=quarter, title="Q3 inspect and adapt", date=dt.date(2026, 9, 28), **kw
    )


def _counts():
    return (
        AgendaItem.objects.count(),
        list(AgendaItem.objects.order_by("id").values_list("planned_minutes", "actual_minutes")),
        SystemDemo.objects.count(),
        ProblemWorkshop.objects.count(),
        RetroNote.objects.count(),
        ActionItem.objects.count(),
    )


# --- agendas and timeboxes -------------------------------------------------------------------------


def test_inspect_and_adapt_and_retrospective_carry_timed_agendas(quarter):
    ia = _inspect_adapt(quarter)
    retro = planning_services.planning_event_create(
        kind="retrospective", quarter=quarter, title="VMO retro", date=dt.date(2026, 9, 30)
    )

    assert list(AgendaItem.objects.filter(event=ia).values_list("position", "text", "planned_minutes")) == [
        (1, "System demo: what the quarter delivered", 60),
        (2, "The quarter's results against last quarter", 30),
        (3, "Retrospective", 30),
        (4, "Problem-solving workshop", 90),
        (5, "Improvement items into the backlog", 15),
    ]
    assert list(AgendaItem.objects.filter(event=retro).values_list("text", "planned_minutes")) == [
        ("Set the stage", 5),
        ("What went well", 15),
        ("What to improve", 20),
        ("Actions with owners and due dates", 15),
        ("Close", 5),
    ]
    assert retro.team is None  # the VMO's own retrospective


def test_timebox_sums_planned_and_compares_actual_with_the_lines_timed(quarter, director):
    event = _inspect_adapt(quarter)
    demo, results, *_ = AgendaItem.objects.filter(event=event).order_by("position")
    outputs.agenda_item_set_time(item=demo, actual_minutes=75, by=director)
    outputs.agenda_item_set_time(item=results, actual_minutes=25, by=director)
    outputs.agenda_item_add(event=event, text="Next quarter's dates", planned_minutes=10, by=director)

    box = agenda_timebox(event_id=event.id)

    # planned 60+30+30+90+15+10; timed: demo 75 (60 planned) and results 25 (30 planned)
    assert (box.planned_minutes, box.actual_minutes, box.planned_of_timed, box.lines, box.timed_lines) == (
        235,
        100,
        90,
        6,
        2,
    )
    assert box.over_minutes == 10
    assert AgendaItem.objects.get(event=event, position=6).text == "Next quarter's dates"


def test_timebox_without_actual_time_has_no_difference(quarter):
    event = _inspect_adapt(quarter)
    box = agenda_timebox(event_id=event.id)
    assert (box.planned_minutes, box.actual_minutes, box.timed_lines, box.over_minutes) == (225, 0, 0, None)


def test_printable_summary_shows_planned_against_actual_time(client, quarter, director, executive):
    event = _inspect_adapt(quarter)
    lines = list(AgendaItem.objects.filter(event=event).order_by("position"))
    outputs.agenda_item_set_time(item=lines[0], actual_minutes=50, by=director)
    outputs.agenda_item_set_time(item=lines[3], planned_minutes=80, actual_minutes=95, by=director)
    client.force_login(executive)

    html = client.get(f"/vmo/planning/{event.id}/summary/").content.decode()

    assert "planned 60 min, actual 50 min" in html
    assert "planned 80 min, actual 95 min" in html
    assert "planned 30 min, actual \u2013" in html
    # planned 60+30+30+80+15 = 215; timed 50+95 = 145 against 60+80 = 140 planned
    assert "Time: planned <strong>215 min</strong>, actual <strong>145 min</strong> for 2 of 5 lines" in html
    assert "(planned 140 min for those: 5 min over)" in html


def test_time_past_a_day_or_negative_is_refused_and_nothing_changes(client, quarter, director):
    event = _inspect_adapt(quarter)
    line = AgendaItem.objects.filter(event=event).first()
    client.force_login(director)
    before = _counts()

    for bad in ("-5", "1441", "soon"):
        response = client.post(f"/vmo/planning/{event.id}/agenda/{line.id}/time/", {"actual_minutes": bad})
        assert response.status_code == 400
    assert _counts() == before
    with pytest.raises(ValidationError):
        outputs.agenda_item_set_time(item=line, actual_minutes=2000, by=director)


def test_a_planner_records_time_on_the_page(client, quarter, program_manager):
    event = _inspect_adapt(quarter)
    line = AgendaItem.objects.filter(event=event).first()
    client.force_login(program_manager)

    response = client.post(
        f"/vmo/planning/{event.id}/agenda/{line.id}/time/", {"planned_minutes": "45", "actual_minutes": "52"}
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.planned_minutes, line.actual_minutes) == (45, 52)


# --- the quarter's results ---------------------------------------------------------------------------


def _snapshots(previous_quarter, quarter, value_stream, other_value_stream):
    ValueStreamSnapshotFactory(
        value_stream=value_stream,
        quarter=previous_quarter,
        as_of=dt.date(2026, 6, 30),
        okr_score=0.5,
        flow_velocity=12,
        flow_time_median_days=9.0,
        flow_efficiency=0.3,
        deployments_per_week=2.0,
        lead_time_median_hours=30.0,
        change_failure_rate=0.2,
        recovery_time_median_hours=None,
        dora_level="medium",
        value_detail={"predictability": 0.6, "planned_business_value": 20, "delivered_business_value": 12},
    )
    # An older day of this quarter: the latest one is what counts.
    ValueStreamSnapshotFactory(
        value_stream=value_stream, quarter=quarter, as_of=dt.date(2026, 9, 1), okr_score=0.1, flow_velocity=3
    )
    ValueStreamSnapshotFactory(
        value_stream=value_stream,
        quarter=quarter,
        as_of=dt.date(2026, 9, 25),
        okr_score=0.75,
        flow_velocity=15,
        flow_time_median_days=9.0,
        flow_efficiency=0.25,
        deployments_per_week=3.5,
        lead_time_median_hours=20.0,
        change_failure_rate=0.1,
        recovery_time_median_hours=4.0,
        dora_level="high",
        value_detail={"predictability": 0.85, "planned_business_value": 20, "delivered_business_value": 17},
    )
    # A stream measured last quarter only: this quarter is "no data", not zero.
    ValueStreamSnapshotFactory(
        value_stream=other_value_stream, quarter=previous_quarter, as_of=dt.date(2026, 6, 30), flow_velocity=4
    )


def test_quarter_results_compare_each_stream_with_last_quarter(
    quarters, value_stream, other_value_stream, django_assert_num_queries
):
    q2, q3 = quarters
    _snapshots(q2, q3, value_stream, other_value_stream)
    objective = ObjectiveFactory(quarter=q3, value_stream=value_stream, title="Faster payouts")
    KeyResultFactory(objective=objective, baseline=0, target=10, current=6)

    with django_assert_num_queries(4):  # previous quarter, two quarters' latest snapshots, OKR grades
        results = quarter_results(quarter=q3)

    assert (results.quarter.code, results.previous.code) == ("2026-Q3", "2026-Q2")
    assert [s.name for s in results.streams] == ["Onboarding", "Payments"]
    onboarding, payments = results.streams
    figures = {f.key: (f.now, f.before, f.trend) for f in payments.figures}
    assert figures == {
        "predictability": (0.85, 0.6, ""),
        "okr_score": (0.75, 0.5, "better"),
        "flow_velocity": (15, 12, "better"),
        "flow_time_median_days": (9.0, 9.0, "same"),
        "flow_efficiency": (0.25, 0.3, "worse"),
        "flow_load": (0, 0, ""),
        "deployments_per_week": (3.5, 2.0, "better"),
        "lead_time_median_hours": (20.0, 30.0, "better"),
        "change_failure_rate": (0.1, 0.2, "better"),
        "recovery_time_median_hours": (4.0, None, ""),
        "dora_level": ("high", "medium", ""),
    }
    assert (payments.planned_business_value, payments.delivered_business_value) == (20, 17)
    assert {f.key: (f.now, f.before) for f in onboarding.figures}["flow_velocity"] == (None, 4)
    assert onboarding.planned_business_value is None
    assert [(o["title"], o["score"]) for o in results.objectives] == [("Faster payouts", 0.6)]


def test_quarter_results_without_a_previous_quarter_or_snapshots(quarter):
    results = quarter_results(quarter=quarter)
    assert (results.previous, results.streams, results.objectives, results.empty) == (None, [], [], True)


def test_inspect_and_adapt_page_shows_the_results_and_outputs(
    client, quarters, value_stream, other_value_stream, director, executive
):
    q2, q3 = quarters
    _snapshots(q2, q3, value_stream, other_value_stream)
    event = _inspect_adapt(q3)
    epic = EpicFactory(value_stream=value_stream, key="PAY-7")
    outputs.system_demo_add(
        event=event, shown="Instant refunds", epic=epic, presented_by=director, feedback="Ship it", by=director
    )
    workshop = outputs.problem_workshop_add(
        event=event, problem="Releases slip", root_causes="Manual test gates", by=director
    )
    outputs.improvement_item_add(workshop=workshop, title="Automate the regression suite", by=director)
    outputs.retro_note_add(event=event, kind="went_well", text="Demo prepared early", by=director)
    outputs.retro_note_add(event=event, kind="to_improve", text="Too many slides", by=director)
    client.force_login(executive)

    html = client.get(f"/vmo/planning/{event.id}/").content.decode()

    assert "The quarter's results (2026-Q3 against 2026-Q2)" in html
    assert "business value delivered 17 of 20 planned" in html
    assert '<tr data-figure="predictability"><td>Predictability (delivered / planned business value)</td>' in html
    assert "85 %" in html or "85%" in html
    assert "Instant refunds" in html and "PAY-7" in html and "Ship it" in html
    assert "Releases slip" in html and "Manual test gates" in html and "Automate the regression suite" in html
    assert "Demo prepared early" in html and "Too many slides" in html
    assert "Record outputs" not in html  # an executive reads only


# --- records and the backlog -------------------------------------------------------------------------


def test_improvement_items_go_into_the_backlog_long_term_from_the_workshops_event(quarter, program_manager):
    event = _inspect_adapt(quarter)
    workshop = outputs.problem_workshop_add(event=event, problem="Hand-offs", by=program_manager)

    item = outputs.improvement_item_add(
        workshop=workshop,
        title="One team per service",
        owner=program_manager,
        due=dt.date(2026, 12, 1),
        by=program_manager,
    )

    item.refresh_from_db()
    assert (item.source_event_id, item.workshop_id, item.horizon, item.created_by_id, item.status) == (
        event.id,
        workshop.id,
        "long_term",
        program_manager.id,
        "open",
    )


def test_a_team_retrospective_names_its_team_and_its_actions_are_backlog_items(client, quarter, director):
    team = TeamFactory(name="Rockets")
    client.force_login(director)

    response = client.post(
        "/vmo/planning/",
        {
            "kind": "retrospective",
            "quarter": quarter.id,
            "title": "Rockets retro",
            "date": "2026-09-12",
            "team": team.id,
        },
    )
    event = PlanningEvent.objects.get(title="Rockets retro")
    assert response.status_code == 302
    assert event.team_id == team.id
    client.post(f"/vmo/planning/{event.id}/retro-notes/", {"kind": "to_improve", "text": "Flaky CI"})
    client.post(
        f"/vmo/planning/{event.id}/action-items/",
        {"title": "Quarantine flaky tests", "owner": director.id, "due": "2026-09-30", "priority": 2},
    )

    assert list(RetroNote.objects.filter(event=event).values_list("kind", "text", "author")) == [
        ("to_improve", "Flaky CI", director.id)
    ]
    assert list(ActionItem.objects.filter(source_event=event).values_list("title", "owner", "due")) == [
        ("Quarantine flaky tests", director.id, dt.date(2026, 9, 30))
    ]
    html = client.get(f"/vmo/planning/{event.id}/").content.decode()
    assert "Retrospective: Rockets" in html and "Flaky CI" in html and "Quarantine flaky tests" in html


def test_only_a_retrospective_belongs_to_a_team(client, quarter, director):
    team = TeamFactory()
    client.force_login(director)

    response = client.post(
        "/vmo/planning/",
        {"kind": "inspect_adapt", "quarter": quarter.id, "title": "I&A", "date": "2026-09-12", "team": team.id},
    )

    assert response.status_code == 400
    assert PlanningEvent.objects.count() == 0
    with pytest.raises(ValidationError):
        planning_services.planning_event_create(
            kind="kickoff", quarter=quarter, title="K", date=dt.date(2026, 7, 1), team=team
        )


@pytest.mark.parametrize(
    ("kind", "call"),
    [
        ("retrospective", lambda e, u: outputs.system_demo_add(event=e, shown="X", by=u)),
        ("quarterly_planning", lambda e, u: outputs.problem_workshop_add(event=e, problem="X", by=u)),
        ("quarterly_planning", lambda e, u: outputs.retro_note_add(event=e, kind="went_well", text="X", by=u)),
    ],
)
def test_records_belong_to_their_event_kinds(quarter, director, kind, call):
    event = PlanningEventFactory(quarter=quarter, kind=kind)
    before = _counts()
    with pytest.raises(ValidationError):
        call(event, director)
    assert _counts() == before


def test_a_closed_events_outputs_are_frozen(quarter, director):
    event = _inspect_adapt(quarter)
    workshop = outputs.problem_workshop_add(event=event, problem="P", by=director)
    line = AgendaItem.objects.filter(event=event).first()
    PlanningEvent.objects.filter(pk=event.pk).update(status="closed")
    before = _counts()

    for call in (
        lambda: outputs.agenda_item_set_time(item=line, actual_minutes=5, by=director),
        lambda: outputs.agenda_item_add(event=event, text="Late", by=director),
        lambda: outputs.system_demo_add(event=event, shown="X", by=director),
        lambda: outputs.problem_workshop_add(event=event, problem="X", by=director),
        lambda: outputs.improvement_item_add(workshop=workshop, title="X", by=director),
        lambda: outputs.retro_note_add(event=event, kind="went_well", text="X", by=director),
    ):
        with pytest.raises(ValidationError):
            call()
    assert _counts() == before


# --- who may record ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vsm", "executive"])
def test_services_refuse_others_and_nothing_changes(request, quarter, persona):
    user = request.getfixturevalue(persona)
    event = _inspect_adapt(quarter)
    workshop = ProblemWorkshopFactory(event=event)
    line = AgendaItem.objects.filter(event=event).first()
    before = _counts()

    for call in (
        lambda: outputs.agenda_item_set_time(item=line, actual_minutes=5, by=user),
        lambda: outputs.agenda_item_add(event=event, text="X", by=user),
        lambda: outputs.system_demo_add(event=event, shown="X", by=user),
        lambda: outputs.problem_workshop_add(event=event, problem="X", by=user),
        lambda: outputs.improvement_item_add(workshop=workshop, title="X", by=user),
        lambda: outputs.retro_note_add(event=event, kind="went_well", text="X", by=user),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _counts() == before


@pytest.mark.parametrize("persona", ["vsm", "executive"])
def test_pages_refuse_others_and_nothing_changes(client, request, quarter, persona):
    client.force_login(request.getfixturevalue(persona))
    event = _inspect_adapt(quarter)
    workshop = ProblemWorkshopFactory(event=event)
    line = AgendaItem.objects.filter(event=event).first()
    before = _counts()

    posts = {
        f"/vmo/planning/{event.id}/agenda/": {"text": "X", "planned_minutes": "5"},
        f"/vmo/planning/{event.id}/agenda/{line.id}/time/": {"actual_minutes": "5"},
        f"/vmo/planning/{event.id}/demos/": {"shown": "X"},
        f"/vmo/planning/{event.id}/workshops/": {"problem": "X"},
        f"/vmo/planning/{event.id}/improvements/": {"workshop": workshop.id, "title": "X"},
        f"/vmo/planning/{event.id}/retro-notes/": {"kind": "went_well", "text": "X"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert _counts() == before


def test_planners_record_outputs_on_the_page(client, quarter, program_manager):
    client.force_login(program_manager)
    event = _inspect_adapt(quarter)
    epic = EpicFactory()

    assert client.post(f"/vmo/planning/{event.id}/demos/", {"shown": "Wallet", "epic": epic.id}).status_code == 302
    assert client.post(f"/vmo/planning/{event.id}/workshops/", {"problem": "Slow reviews"}).status_code == 302
    workshop = ProblemWorkshop.objects.get(event=event)
    response = client.post(
        f"/vmo/planning/{event.id}/improvements/", {"workshop": workshop.id, "title": "Pair reviews"}
    )
    assert response.status_code == 302
    assert (
        client.post(f"/vmo/planning/{event.id}/retro-notes/", {"kind": "went_well", "text": "Fast"}).status_code == 302
    )
    assert (
        client.post(f"/vmo/planning/{event.id}/agenda/", {"text": "Wrap up", "planned_minutes": "5"}).status_code == 302
    )

    assert list(SystemDemo.objects.values_list("shown", "epic")) == [("Wallet", epic.id)]
    assert list(ActionItem.objects.values_list("title", "workshop", "horizon")) == [
        ("Pair reviews", workshop.id, "long_term")
    ]
    assert RetroNote.objects.get().text == "Fast"
    assert AgendaItem.objects.filter(event=event).order_by("-position").first().planned_minutes == 5


def test_an_improvement_for_another_events_workshop_is_refused(client, quarter, director):
    client.force_login(director)
    event = _inspect_adapt(quarter)
    elsewhere = ProblemWorkshopFactory()

    response = client.post(f"/vmo/planning/{event.id}/improvements/", {"workshop": elsewhere.id, "title": "X"})

    assert response.status_code == 400
    assert ActionItem.objects.count() == 0


def test_inspect_and_adapt_workspace_runs_a_constant_number_of_queries(
    client, quarters, value_stream, other_value_stream, director, django_assert_num_queries
):
    q2, q3 = quarters
    _snapshots(q2, q3, value_stream, other_value_stream)
    event = _inspect_adapt(q3)
    client.force_login(director)

    def grow():
        SystemDemoFactory(event=event, presented_by=director, epic=EpicFactory(value_stream=value_stream))
        workshop = ProblemWorkshopFactory(event=event)
        outputs.improvement_item_add(workshop=workshop, title="Improve", owner=director, by=director)
        RetroNoteFactory(event=event, author=director)
        ObjectiveFactory(quarter=q3, value_stream=value_stream)

    grow()
    client.get(f"/vmo/planning/{event.id}/")
    # 31 whatever the number of demos, workshops, improvements, notes and objectives
    with django_assert_num_queries(31) as first:
        client.get(f"/vmo/planning/{event.id}/")
    for _ in range(4):
        grow()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(f"/vmo/planning/{event.id}/")


# --- API -------------------------------------------------------------------------------------------


def test_api_records_an_inspect_and_adapt(api_as, quarter, program_manager):
    client = api_as(program_manager)
    event = client.post(
        "/api/planning-events/",
        {"kind": "inspect_adapt", "quarter": quarter.id, "title": "I&A", "date": "2026-09-28"},
        format="json",
    ).json()
    line = event["agenda"][0]

    patched = client.patch(f"/api/agenda-items/{line['id']}/", {"actual_minutes": 70}, format="json")
    demo = client.post(
        "/api/system-demos/", {"event": event["id"], "shown": "Wallet", "feedback": "Good"}, format="json"
    )
    workshop = client.post(
        "/api/problem-workshops/", {"event": event["id"], "problem": "Slow", "root_causes": "Queues"}, format="json"
    )
    improvement = client.post(
        f"/api/problem-workshops/{workshop.json()['id']}/improvements/",
        {"title": "Limit WIP", "due": "2026-12-01"},
        format="json",
    )
    note = client.post(
        "/api/retrospective-notes/", {"event": event["id"], "kind": "to_improve", "text": "Late start"}, format="json"
    )

    assert patched.status_code == 200
    assert (patched.json()["planned_minutes"], patched.json()["actual_minutes"]) == (60, 70)
    assert demo.status_code == 201 and demo.json()["shown"] == "Wallet"
    assert improvement.status_code == 201
    body = improvement.json()
    assert (body["title"], body["horizon"], body["source_event"], body["workshop"], body["is_ready"]) == (
        "Limit WIP",
        "long_term",
        event["id"],
        workshop.json()["id"],
        False,
    )
    assert client.get(f"/api/problem-workshops/{workshop.json()['id']}/").json()["improvements"] == [body["id"]]
    assert note.status_code == 201 and note.json()["author"] == program_manager.id


def test_api_refuses_others_and_nothing_changes(api_as, quarter, vsm, executive):
    event = _inspect_adapt(quarter)
    workshop = ProblemWorkshopFactory(event=event)
    line = AgendaItem.objects.filter(event=event).first()
    before = _counts()
    for user in (vsm, executive):
        client = api_as(user)
        calls = [
            client.patch(f"/api/agenda-items/{line.id}/", {"actual_minutes": 5}, format="json"),
            client.post("/api/agenda-items/", {"event": event.id, "text": "X"}, format="json"),
            client.post("/api/system-demos/", {"event": event.id, "shown": "X"}, format="json"),
            client.post("/api/problem-workshops/", {"event": event.id, "problem": "X"}, format="json"),
            client.post(f"/api/problem-workshops/{workshop.id}/improvements/", {"title": "X"}, format="json"),
            client.post(
                "/api/retrospective-notes/", {"event": event.id, "kind": "went_well", "text": "X"}, format="json"
            ),
        ]
        assert [r.status_code for r in calls] == [403] * 6
    assert _counts() == before


def test_api_agenda_time_out_of_range_is_a_400(api_as, quarter, director):
    event = _inspect_adapt(quarter)
    line = AgendaItem.objects.filter(event=event).first()
    response = api_as(director).patch(f"/api/agenda-items/{line.id}/", {"planned_minutes": 1441}, format="json")
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.planned_minutes == 60


def test_api_event_results(api_as, quarters, value_stream, other_value_stream, executive):
    q2, q3 = quarters
    _snapshots(q2, q3, value_stream, other_value_stream)
    event = _inspect_adapt(q3)

    body = api_as(executive).get(f"/api/planning-events/{event.id}/results/").json()

    assert (body["quarter"], body["previous"]) == ("2026-Q3", "2026-Q2")
    payments = body["streams"][1]
    assert payments["name"] == "Payments"
    assert payments["figures"][0] == {
        "key": "predictability",
        "label": "Predictability (delivered / planned business value)",
        "unit": "percent",
        "now": 0.85,
        "before": 0.6,
        "trend": "",
    }
    assert body["streams"][0]["figures"][2]["now"] is None  # Onboarding: no data this quarter


@pytest.mark.parametrize("collection", ["agenda-items", "system-demos", "problem-workshops", "retrospective-notes"])
def test_api_lists_run_a_constant_number_of_queries(
    api_as, executive, director, quarter, collection, django_assert_num_queries
):
    def grow():
        event = PlanningEventFactory(quarter=quarter, kind="inspect_adapt")
        AgendaItem.objects.create(event=event, position=1, text="X", planned_minutes=5)
        SystemDemoFactory(event=event)
        outputs.improvement_item_add(workshop=ProblemWorkshopFactory(event=event), title="X", by=director)
        RetroNoteFactory(event=event)

    grow()
    client = api_as(executive)
    with django_assert_num_queries(3 if collection == "problem-workshops" else 2) as first:  # count, page (+ items)
        client.get(f"/api/{collection}/")
    for _ in range(5):
        grow()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(f"/api/{collection}/")
