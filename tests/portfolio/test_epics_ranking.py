"""WSJF computed by the database and the ranking order (DESIGN.md section 3)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.models import WSJF_SCALE, Epic
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("bv", "tc", "rr", "size", "cod", "wsjf"),
    [
        (1, 1, 1, 1, 3, 3.0),
        (20, 20, 20, 1, 60, 60.0),
        (8, 5, 3, 13, 16, 16 / 13),  # integer division would give 1
        (1, 2, 3, 20, 6, 0.3),  # integer division would give 0
        (13, 8, 2, 5, 23, 4.6),
    ],
)
def test_cost_of_delay_and_wsjf_are_computed_by_the_database(bv, tc, rr, size, cod, wsjf):
    epic = EpicFactory(business_value=bv, time_criticality=tc, risk_reduction=rr, job_size=size)

    row = Epic.objects.values("cost_of_delay", "wsjf").get(id=epic.id)

    assert row["cost_of_delay"] == cod
    assert row["wsjf"] == pytest.approx(wsjf, rel=1e-12)


def test_wsjf_is_empty_until_every_input_is_scored():
    epic = EpicFactory(business_value=8, time_criticality=5, risk_reduction=None, job_size=3)

    row = Epic.objects.values("cost_of_delay", "wsjf").get(id=epic.id)

    assert row == {"cost_of_delay": None, "wsjf": None}


@pytest.mark.parametrize("field", ["business_value", "time_criticality", "risk_reduction", "job_size"])
@pytest.mark.parametrize("value", [0, 4, 21, 100])
def test_the_database_refuses_inputs_off_the_fibonacci_scale(field, value):
    epic = EpicFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Epic.objects.filter(id=epic.id).update(**{field: value})


def test_ranking_breaks_ties_by_cost_of_delay_then_job_size_then_age_then_id():
    old = timezone.now() - dt.timedelta(days=10)
    # WSJF 2.0 each, except "top" (WSJF 5) and the unscored one.
    a = EpicFactory(key="A", business_value=2, time_criticality=2, risk_reduction=2, job_size=3)  # CoD 6, size 3
    b = EpicFactory(key="B", business_value=5, time_criticality=3, risk_reduction=2, job_size=5)  # CoD 10, size 5
    c = EpicFactory(key="C", business_value=3, time_criticality=2, risk_reduction=1, job_size=3)  # CoD 6, size 3, newer
    d = EpicFactory(key="D", business_value=3, time_criticality=2, risk_reduction=1, job_size=3)  # same as C, newer id
    top = EpicFactory(key="TOP", business_value=5, time_criticality=5, risk_reduction=5, job_size=3)  # WSJF 5
    unscored = EpicFactory(key="NONE", business_value=20, job_size=None)
    Epic.objects.filter(id=a.id).update(created_at=old)
    now = timezone.now()
    Epic.objects.filter(id__in=[c.id, d.id]).update(created_at=now)

    ranked = list(Epic.objects.ranked().values_list("key", "wsjf", "is_unscored"))

    assert [key for key, *_ in ranked] == ["TOP", "B", "A", "C", "D", "NONE"]
    assert [w for _, w, _ in ranked] == [5.0, 2.0, 2.0, 2.0, 2.0, None]
    assert [u for *_, u in ranked] == [0, 0, 0, 0, 0, 1]
    assert b.id and unscored.id and top.id


scale = st.sampled_from(WSJF_SCALE)


@settings(max_examples=40, deadline=None)
@given(bv=scale, tc=scale, rr=scale, size=scale, raised=st.sampled_from(WSJF_SCALE), which=st.integers(0, 2))
def test_raising_a_cost_of_delay_input_never_lowers_wsjf(bv, tc, rr, size, raised, which):
    inputs = [bv, tc, rr]
    higher = list(inputs)
    higher[which] = max(inputs[which], raised)
    with transaction.atomic():
        before = EpicFactory(business_value=bv, time_criticality=tc, risk_reduction=rr, job_size=size)
        after = EpicFactory(
            business_value=higher[0], time_criticality=higher[1], risk_reduction=higher[2], job_size=size
        )
        rows = dict(Epic.objects.filter(id__in=[before.id, after.id]).values_list("id", "wsjf"))
        transaction.set_rollback(True)

    assert rows[after.id] >= rows[before.id]


@settings(max_examples=40, deadline=None)
@given(bv=scale, tc=scale, rr=scale, size=scale, bigger=scale)
def test_raising_job_size_never_raises_wsjf(bv, tc, rr, size, bigger):
    with transaction.atomic():
        small = EpicFactory(business_value=bv, time_criticality=tc, risk_reduction=rr, job_size=size)
        large = EpicFactory(business_value=bv, time_criticality=tc, risk_reduction=rr, job_size=max(size, bigger))
        rows = dict(Epic.objects.filter(id__in=[small.id, large.id]).values_list("id", "wsjf"))
        transaction.set_rollback(True)

    assert rows[large.id] <= rows[small.id]


def test_open_ranks_number_every_open_epic_and_answer_only_those_asked(value_stream):
    from portfolio.selectors.epics import epic_open_ranks

    def scored(key, business_value, **extra):
        return EpicFactory(
            key=key,
            value_stream=value_stream,
            business_value=business_value,
            time_criticality=1,
            risk_reduction=1,
            job_size=1,
            **extra,
        )

    scored("A", 20)
    b = scored("B", 8)
    scored("C", 13, state="done")  # closed: not ranked, and not counted before B
    d = scored("D", 1)
    unscored = EpicFactory(key="E", value_stream=value_stream)

    assert epic_open_ranks(ids=[b.id, d.id, unscored.id]) == {b.id: 2, d.id: 3, unscored.id: 4}
    assert epic_open_ranks(ids=[]) == {}
