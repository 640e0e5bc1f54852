"""One metric, one number: a key result bound to a computed figure of its value stream takes its
value from each rollup as a check-in by "rollup" and cannot be typed over (issue 11, point 9)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import CheckIn, KeyResult, ObjectiveLevel
from tests.factories import DeploymentFactory, KeyResultFactory, ObjectiveFactory, WorkItemFactory
from vmo.models import ValueStreamSnapshot
from vmo.services import rollups

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 7, 28)


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def objective(quarter, value_stream):
    return ObjectiveFactory(quarter=quarter, value_stream=value_stream, title="Ship faster")


@pytest.fixture
def lead_time_kr(objective):
    return services.key_result_create(
        objective=objective,
        title="Median lead time for changes",
        unit="h",
        direction="decrease",
        baseline=Decimal(72),
        target=Decimal(24),
        metric="lead_time",
    )


def _deploy(value_stream, day, hours_since_first_commit):
    deployed = at(day, 12)
    DeploymentFactory(
        value_stream=value_stream,
        environment="production",
        succeeded=True,
        deployed_at=deployed,
        first_commit_at=deployed - dt.timedelta(hours=hours_since_first_commit),
    )


def test_a_bound_kr_takes_the_rollups_lead_time_as_a_check_in_by_rollup(quarter, value_stream, lead_time_kr):
    # given: three production deployments 30 h, 36 h and 50 h after their first commit
    _deploy(value_stream, 6, 30)
    _deploy(value_stream, 13, 36)
    _deploy(value_stream, 20, 50)

    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)

    # then: the snapshot and the KR say the same number, 36 h (the median)
    snapshot = ValueStreamSnapshot.objects.get()
    assert snapshot.lead_time_median_hours == 36.0
    reading = CheckIn.objects.get()
    assert (reading.key_result_id, reading.date, reading.rollup_of, reading.value) == (
        lead_time_kr.id,
        AS_OF,
        AS_OF,
        Decimal("36.0000"),
    )
    assert (reading.author_id, reading.confidence, reading.author_name) == (None, None, "rollup")
    lead_time_kr.refresh_from_db()
    assert lead_time_kr.current == Decimal(36)
    # decrease KR from 72 to 24: (36 - 72) / (24 - 72) = 0.75, and the snapshot's OKR score has it
    assert snapshot.okr_score == 0.75


def test_a_rerun_of_the_days_rollup_writes_no_second_check_in(quarter, value_stream, lead_time_kr):
    _deploy(value_stream, 6, 30)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)
    assert list(CheckIn.objects.values_list("date", "value")) == [(AS_OF, Decimal("30.0000"))]

    # when: a late deployment arrives and the same day is rolled up again, then the next day
    _deploy(value_stream, 7, 40)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)
    rollups.rollup_value_streams(
        value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF + dt.timedelta(days=1)
    )

    # then: the day's reading is corrected in place (median of 30 and 40), the next day adds one
    assert list(CheckIn.objects.order_by("date").values_list("date", "value")) == [
        (AS_OF, Decimal("35.0000")),
        (AS_OF + dt.timedelta(days=1), Decimal("35.0000")),
    ]


def test_a_metric_without_data_checks_nothing_in(quarter, value_stream, lead_time_kr):
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)

    assert CheckIn.objects.count() == 0
    lead_time_kr.refresh_from_db()
    assert lead_time_kr.current == Decimal(72)  # still the baseline


def test_ratios_are_checked_in_as_percent_and_other_streams_krs_are_untouched(
    quarter, value_stream, other_value_stream, objective
):
    # given: 4 items of the stream, 1 done (size 1 each): delivery progress 25 %; another stream's
    # bound KR and an unbound KR of this stream
    from tests.factories import EpicFactory

    epic = EpicFactory(value_stream=value_stream, state="implementing")
    WorkItemFactory(value_stream=value_stream, epic=epic, status="done", created_at=at(1), finished_at=at(2))
    for _ in range(3):
        WorkItemFactory(value_stream=value_stream, epic=epic, status="active", created_at=at(1))
    bound = KeyResultFactory(objective=objective, metric="delivery_progress", baseline=0, target=100)
    typed = KeyResultFactory(objective=objective, baseline=0, target=100, current=10)
    elsewhere = KeyResultFactory(
        objective=ObjectiveFactory(quarter=quarter, value_stream=other_value_stream),
        metric="delivery_progress",
        baseline=0,
        target=100,
    )

    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)

    assert list(CheckIn.objects.values_list("key_result_id", "value")) == [(bound.id, Decimal("25.0000"))]
    assert KeyResult.objects.get(pk=bound.pk).current == Decimal(25)
    assert KeyResult.objects.get(pk=typed.pk).current == Decimal(10)
    assert KeyResult.objects.get(pk=elsewhere.pk).current == Decimal(0)


def test_only_a_value_stream_objectives_kr_can_be_bound(quarter):
    portfolio = ObjectiveFactory(quarter=quarter, level=ObjectiveLevel.PORTFOLIO, value_stream=None)

    with pytest.raises(ValidationError) as refused:
        services.key_result_create(
            objective=portfolio,
            title="Lead time",
            baseline=Decimal(72),
            target=Decimal(24),
            direction="decrease",
            metric="lead_time",
        )

    assert "metric" in refused.value.message_dict
    assert KeyResult.objects.count() == 0


def test_a_bound_kr_refuses_a_typed_check_in_and_a_typed_current(lead_time_kr, vsm):
    with pytest.raises(ValidationError, match="bound to Lead time for changes"):
        services.check_in_record(key_result=lead_time_kr, value=Decimal(10), confidence=7, author=vsm)
    with pytest.raises(ValidationError, match="cannot be typed over"):
        services.key_result_update(key_result=lead_time_kr, current=Decimal(10))

    assert CheckIn.objects.count() == 0
    assert KeyResult.objects.get(pk=lead_time_kr.pk).current == Decimal(72)


def test_api_refuses_a_manual_check_in_on_a_bound_kr_with_400(api_as, vsm, lead_time_kr):
    response = api_as(vsm).post(
        f"/api/key-results/{lead_time_kr.id}/check-ins/", {"value": "10", "confidence": 7}, format="json"
    )

    assert response.status_code == 400
    assert "cannot be typed over" in str(response.json())
    assert CheckIn.objects.count() == 0


def test_api_shows_and_sets_the_binding(api_as, vsm, objective, lead_time_kr):
    client = api_as(vsm)
    typed = KeyResultFactory(objective=objective, baseline=0, target=10)

    listed = {row["id"]: row["metric"] for row in client.get("/api/key-results/").json()["results"]}
    bound = client.patch(f"/api/key-results/{typed.id}/", {"metric": "flow_velocity"}, format="json")
    wrong = client.patch(f"/api/key-results/{typed.id}/", {"metric": "mood"}, format="json")

    assert listed == {lead_time_kr.id: "lead_time", typed.id: ""}
    assert (bound.status_code, bound.json()["metric"]) == (200, "flow_velocity")
    assert wrong.status_code == 400
    assert KeyResult.objects.get(pk=typed.pk).metric == "flow_velocity"


def test_check_in_history_says_rollup(client, executive, quarter, value_stream, lead_time_kr, api_as):
    _deploy(value_stream, 6, 30)
    rollups.rollup_value_streams(value_stream_ids=[value_stream.id], quarter=quarter, as_of=AS_OF)
    client.force_login(executive)

    html = client.get(f"/okrs/key-results/{lead_time_kr.id}/").content.decode()
    rows = api_as(executive).get(f"/api/key-results/{lead_time_kr.id}/check-ins/").json()["results"]

    assert '<td class="check-in-author">rollup</td>' in html
    assert 'id="kr-binding"' in html
    assert 'name="value"' not in html  # no check-in form on a bound KR
    assert [(row["by"], row["author"], row["confidence"]) for row in rows] == [("rollup", None, None)]


def test_the_kr_form_shows_the_binding_and_the_page_refuses_a_typed_check_in(client, vsm, lead_time_kr):
    client.force_login(vsm)

    form = client.get(f"/okrs/key-results/{lead_time_kr.id}/edit/").content.decode()
    typed = client.post(f"/okrs/key-results/{lead_time_kr.id}/check-in/", {"value": "10", "confidence": "7"})

    assert '<option value="lead_time" selected>' in form
    assert "Bound to the value stream" in form
    assert typed.status_code == 400
    assert "cannot be typed over" in typed.content.decode()
    assert CheckIn.objects.count() == 0
