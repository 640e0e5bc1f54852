"""The epic page: economics, benefits and MVP evaluation recorded by VSMs and directors only."""

import datetime as dt

import pytest

from kanban.models import Transition
from portfolio.models import BenefitHypothesis, BenefitMeasurement, EpicState, MMPKind, MMPStatus, MvpEvaluation
from tests.factories import EpicFactory, MMPFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def epic(value_stream):
    return EpicFactory(
        key="PAY-5", value_stream=value_stream, state=EpicState.IMPLEMENTING, estimated_cost_cents=1_000_00
    )


@pytest.fixture
def mvp(epic):
    return MMPFactory(epic=epic, kind=MMPKind.MVP, status=MMPStatus.RELEASED, released_on=dt.date(2026, 7, 1))


BENEFIT = {"kind": "money", "title": "Card fees", "monthly_amount_cents": "2500.00", "start_month": "2026-08-01"}


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 302), ("director", 302), ("other_vsm", 403), ("executive", 403)]
)
def test_who_records_a_benefit_on_the_page(request, client, epic, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/kanban/epics/{epic.key}/benefits/", BENEFIT)
    assert response.status_code == status
    assert BenefitHypothesis.objects.count() == (1 if status == 302 else 0)


def test_bad_benefit_input_is_a_400_with_the_form(client, vsm, epic):
    client.force_login(vsm)
    response = client.post(f"/kanban/epics/{epic.key}/benefits/", {**BENEFIT, "monthly_amount_cents": "1e5"})
    assert response.status_code == 400
    assert b"benefit-form" in response.content
    assert BenefitHypothesis.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 302), ("director", 302), ("other_vsm", 403), ("program_manager", 403)]
)
def test_who_records_a_measurement_on_the_page(request, client, epic, persona, status):
    benefit = BenefitHypothesis.objects.create(
        epic=epic, kind="money", title="Fees", monthly_amount_cents=100, start_month=dt.date(2026, 7, 1)
    )
    client.force_login(request.getfixturevalue(persona))
    body = {"benefit": benefit.id, "measured_on": "2026-07-31", "amount_cents": "12.50", "source": "ledger"}
    response = client.post(f"/kanban/epics/{epic.key}/measurements/", body)
    assert response.status_code == status
    assert BenefitMeasurement.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 302), ("director", 302), ("other_vsm", 403), ("executive", 403)]
)
def test_who_evaluates_an_mvp_on_the_page(request, client, epic, mvp, persona, status):
    client.force_login(request.getfixturevalue(persona))
    body = {
        "mmp": mvp.id,
        "result": "invalidated",
        "evidence": "2 % conversion",
        "decision": "pivot",
        "reason": "Wrong segment",
    }
    response = client.post(f"/kanban/epics/{epic.key}/mvp-evaluation/", body)
    assert response.status_code == status
    epic.refresh_from_db()
    if status == 302:
        assert epic.state == EpicState.ANALYZING
        assert Transition.objects.get().reason.startswith("MVP invalidated: pivot.")
    else:
        assert (epic.state, MvpEvaluation.objects.count(), Transition.objects.count()) == ("implementing", 0, 0)


def test_epic_page_shows_economics_benefits_and_the_mvp_form(client, vsm, epic, mvp):
    BenefitHypothesis.objects.create(
        epic=epic, kind="money", title="Card fees", monthly_amount_cents=250_000, start_month=dt.date(2026, 8, 1)
    )
    client.force_login(vsm)
    page = client.get(f"/kanban/epics/{epic.key}/").content.decode()
    for part in ('id="epic-economics"', 'id="epic-benefits"', "Card fees", 'id="mvp-form"', "Forecast at completion"):
        assert part in page


def test_epic_page_shows_time_to_value_in_days_and_no_data_where_missing(client, vsm, epic):
    # given: created 1 July 00:00, go decision 5 July 12:00, first MVP released 11 July, not done
    # (an earlier planned MMP does not count)
    from django.utils import timezone

    from portfolio.models import Epic

    created = timezone.make_aware(dt.datetime(2026, 7, 1))
    Epic.objects.filter(id=epic.id).update(
        created_at=created, go_decision_at=created + dt.timedelta(days=4.5), go_decision_by=vsm
    )
    MMPFactory(epic=epic, kind=MMPKind.MVP, status=MMPStatus.RELEASED, released_on=dt.date(2026, 7, 11))
    MMPFactory(epic=epic, status=MMPStatus.PLANNED, released_on=None)
    client.force_login(vsm)
    # when
    response = client.get(f"/kanban/epics/{epic.key}/")
    # then: 10 days from the funnel, 5.5 from the go decision, no data for done
    html = response.content.decode()
    assert '<td class="num" id="epic-ttv-release">10.0 days</td>' in html
    assert '<td class="num" id="epic-ttv-go">5.5 days</td>' in html
    assert '<td class="num" id="epic-ttv-done">no data</td>' in html


def test_time_to_value_of_one_epic_is_one_query(epic, django_assert_num_queries):
    from kanban.selectors import epic_time_to_value

    with django_assert_num_queries(1):
        assert epic_time_to_value(epic_id=epic.id) == {"to_release": None, "go_to_release": None, "to_done": None}
