"""A benefit hypothesis serves at most one key result: of its own value stream or of a portfolio
objective. Tied by managers of the benefit's value stream and directors, through the okrs
service (API and epic page); read back as `key_result` on /api/benefits/."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from okrs.models import KeyResultBenefit, ObjectiveLevel
from okrs.services import benefit_key_result_set
from portfolio.models import BenefitHypothesis
from tests.factories import EpicFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def benefit(value_stream):
    epic = EpicFactory(key="PAY-7", value_stream=value_stream)
    return BenefitHypothesis.objects.create(
        epic=epic, kind="money", title="Card fees", monthly_amount_cents=100_00, start_month=dt.date(2026, 7, 1)
    )


@pytest.fixture
def own_kr(value_stream, quarter):
    return KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=value_stream), title="Fees up")


@pytest.fixture
def portfolio_kr(quarter):
    objective = ObjectiveFactory(quarter=quarter, level=ObjectiveLevel.PORTFOLIO, value_stream=None)
    return KeyResultFactory(objective=objective, title="Revenue up")


@pytest.fixture
def other_kr(other_value_stream, quarter):
    return KeyResultFactory(objective=ObjectiveFactory(quarter=quarter, value_stream=other_value_stream))


@pytest.mark.parametrize("persona", ["vsm", "director"])
@pytest.mark.parametrize("kr", ["own_kr", "portfolio_kr"])
def test_managers_and_directors_tie_a_benefit_to_its_streams_or_a_portfolio_key_result(request, benefit, persona, kr):
    key_result = request.getfixturevalue(kr)

    benefit_key_result_set(user=request.getfixturevalue(persona), benefit=benefit, key_result=key_result)

    assert list(KeyResultBenefit.objects.values_list("benefit_id", "key_result_id")) == [(benefit.id, key_result.id)]


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_others_may_not_tie_and_nothing_changes(request, benefit, own_kr, persona):
    with pytest.raises(PermissionDenied):
        benefit_key_result_set(user=request.getfixturevalue(persona), benefit=benefit, key_result=own_kr)
    assert KeyResultBenefit.objects.count() == 0


def test_another_streams_key_result_is_refused_and_the_old_link_stays(vsm, benefit, own_kr, other_kr):
    benefit_key_result_set(user=vsm, benefit=benefit, key_result=own_kr)

    with pytest.raises(ValidationError) as refused:
        benefit_key_result_set(user=vsm, benefit=benefit, key_result=other_kr)

    assert "key_result" in refused.value.message_dict
    assert list(KeyResultBenefit.objects.values_list("key_result_id", flat=True)) == [own_kr.id]


def test_a_new_link_replaces_the_old_one_and_none_unties(vsm, benefit, own_kr, portfolio_kr):
    benefit_key_result_set(user=vsm, benefit=benefit, key_result=own_kr)
    benefit_key_result_set(user=vsm, benefit=benefit, key_result=portfolio_kr)
    assert list(KeyResultBenefit.objects.values_list("key_result_id", flat=True)) == [portfolio_kr.id]

    benefit_key_result_set(user=vsm, benefit=benefit, key_result=None)
    assert KeyResultBenefit.objects.count() == 0


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 201), ("director", 201), ("other_vsm", 403), ("executive", 403), (None, 403)]
)
def test_who_ties_a_benefit_through_the_api(request, api_as, benefit, own_kr, persona, status):
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(f"/api/key-results/{own_kr.id}/benefits/", {"benefit": benefit.id}, format="json")

    assert response.status_code in ((status, 401) if persona is None else (status,))
    if status == 201:
        assert response.json() == {"benefit": benefit.id, "key_result": own_kr.id}
    assert KeyResultBenefit.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("body", [{}, {"benefit": 999_999}, {"benefit": "x"}, {"benefit": None}, []])
def test_bad_bodies_are_a_400_and_change_nothing(api_as, vsm, benefit, own_kr, body):
    response = api_as(vsm).post(f"/api/key-results/{own_kr.id}/benefits/", body, format="json")
    assert response.status_code == 400
    assert KeyResultBenefit.objects.count() == 0


def test_another_streams_key_result_is_a_400_through_the_api(api_as, vsm, benefit, other_kr):
    response = api_as(vsm).post(f"/api/key-results/{other_kr.id}/benefits/", {"benefit": benefit.id}, format="json")
    assert response.status_code == 400
    assert "key_result" in response.json()
    assert KeyResultBenefit.objects.count() == 0


def test_benefits_api_reads_the_key_result_as_an_id(api_as, executive, vsm, benefit, own_kr, value_stream):
    other = BenefitHypothesis.objects.create(epic=benefit.epic, kind="indicator", title="NPS", unit="points")
    benefit_key_result_set(user=vsm, benefit=benefit, key_result=own_kr)

    rows = api_as(executive).get("/api/benefits/").json()["results"]
    listed = api_as(executive).get(f"/api/key-results/{own_kr.id}/benefits/").json()["results"]

    assert [(row["id"], row["key_result"]) for row in rows] == [(benefit.id, own_kr.id), (other.id, None)]
    assert listed == [{"benefit": benefit.id, "key_result": own_kr.id}]


@pytest.mark.parametrize("count", [2, 20])
def test_benefit_list_costs_the_same_queries_with_links(
    api_as, executive, vsm, benefit, own_kr, count, django_assert_num_queries
):
    for n in range(count):
        extra = BenefitHypothesis.objects.create(epic=benefit.epic, kind="indicator", title=f"I{n}", unit="u")
        benefit_key_result_set(user=vsm, benefit=extra, key_result=own_kr)
    client = api_as(executive)
    with django_assert_num_queries(2):  # count + page (authentication is forced)
        assert client.get("/api/benefits/").status_code == 200


# --- the epic page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("vsm", 302), ("director", 302), ("other_vsm", 403), ("executive", 403)]
)
def test_who_ties_a_benefit_on_the_epic_page(request, client, benefit, own_kr, persona, status):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        f"/okrs/epics/{benefit.epic.key}/benefit-key-result/", {"benefit": benefit.id, "key_result": own_kr.id}
    )

    assert response.status_code == status
    assert KeyResultBenefit.objects.count() == (1 if status == 302 else 0)


def test_epic_page_offers_the_form_and_lists_the_key_result(client, vsm, benefit, own_kr, other_kr):
    client.force_login(vsm)
    bad = client.post(
        f"/okrs/epics/{benefit.epic.key}/benefit-key-result/", {"benefit": benefit.id, "key_result": other_kr.id}
    )
    assert bad.status_code == 400
    assert KeyResultBenefit.objects.count() == 0

    client.post(f"/okrs/epics/{benefit.epic.key}/benefit-key-result/", {"benefit": benefit.id, "key_result": own_kr.id})
    html = client.get(f"/kanban/epics/{benefit.epic.key}/").content.decode()

    assert 'id="benefit-key-result-form"' in html
    assert "serves key result: Fees up" in html
    assert f'<option value="{other_kr.id}"' not in html
