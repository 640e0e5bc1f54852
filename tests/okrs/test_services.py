"""OKR writes: KR creation rules, append-only check-ins that move `current`, the rollup outbox."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okrs import services
from okrs.models import CheckIn, KeyResult, ObjectiveLevel
from portfolio.models import RollupDue
from tests.factories import EpicFactory, KeyResultFactory, ObjectiveFactory, QuarterFactory

pytestmark = pytest.mark.django_db


def test_key_result_with_target_equal_to_baseline_is_refused_with_a_message(value_stream):
    objective = ObjectiveFactory(value_stream=value_stream)

    with pytest.raises(ValidationError) as exc:
        services.key_result_create(objective=objective, title="Flat", baseline=Decimal(5), target=Decimal(5))

    assert exc.value.message_dict["target"] == [
        "The target must differ from the baseline, otherwise progress cannot be measured."
    ]
    assert KeyResult.objects.count() == 0


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "message"),
    [
        ("increase", 10, 5, "An 'increase' key result needs a target above its baseline."),
        ("decrease", 10, 15, "A 'decrease' key result needs a target below its baseline."),
    ],
)
def test_key_result_target_on_the_wrong_side_is_refused(value_stream, direction, baseline, target, message):
    objective = ObjectiveFactory(value_stream=value_stream)

    with pytest.raises(ValidationError) as exc:
        services.key_result_create(
            objective=objective, title="KR", direction=direction, baseline=Decimal(baseline), target=Decimal(target)
        )

    assert exc.value.message_dict["target"] == [message]
    assert KeyResult.objects.count() == 0


def test_key_result_starts_at_its_baseline_and_marks_the_stream_for_rollup(value_stream):
    objective = ObjectiveFactory(value_stream=value_stream)

    kr = services.key_result_create(objective=objective, title="NPS", baseline=Decimal(20), target=Decimal(40))

    assert kr.current == Decimal(20)
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_key_result_refuses_epics_of_another_stream(value_stream, other_value_stream):
    objective = ObjectiveFactory(value_stream=value_stream)
    foreign = EpicFactory(value_stream=other_value_stream)

    with pytest.raises(ValidationError) as exc:
        services.key_result_create(
            objective=objective, title="KR", baseline=Decimal(0), target=Decimal(1), epics=[foreign]
        )

    assert exc.value.message_dict["epics"] == ["Link only epics of this objective's value stream."]
    assert KeyResult.objects.count() == 0


def test_check_in_appends_and_updates_current_and_confidence(vsm, value_stream):
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream), baseline=0, target=100, current=0)

    services.check_in_record(key_result=kr, value=Decimal(30), confidence=6, author=vsm, date=dt.date(2026, 1, 10))
    services.check_in_record(key_result=kr, value=Decimal(55), confidence=8, author=vsm, date=dt.date(2026, 1, 20))

    kr.refresh_from_db()
    assert kr.current == Decimal(55)
    assert kr.confidence == 8
    assert list(CheckIn.objects.order_by("id").values_list("value", "confidence")) == [
        (Decimal(30), 6),
        (Decimal(55), 8),
    ]
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_back_dated_check_in_is_kept_but_does_not_overwrite_a_newer_one(vsm, value_stream):
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream))
    services.check_in_record(key_result=kr, value=Decimal(50), confidence=7, author=vsm, date=dt.date(2026, 2, 1))

    services.check_in_record(key_result=kr, value=Decimal(10), confidence=3, author=vsm, date=dt.date(2026, 1, 1))

    kr.refresh_from_db()
    assert (kr.current, kr.confidence) == (Decimal(50), 7)
    assert CheckIn.objects.count() == 2


def test_check_in_confidence_above_ten_is_refused_and_nothing_changes(vsm, value_stream):
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream), current=0)

    with pytest.raises(ValidationError):
        services.check_in_record(key_result=kr, value=Decimal(50), confidence=11, author=vsm)

    kr.refresh_from_db()
    assert kr.current == Decimal(0)
    assert CheckIn.objects.count() == 0


def test_objective_alignment_needs_a_portfolio_parent_in_the_same_quarter(value_stream):
    q1, q2 = QuarterFactory(), QuarterFactory()
    parent = ObjectiveFactory(quarter=q1, level=ObjectiveLevel.PORTFOLIO, value_stream=None)

    with pytest.raises(ValidationError) as exc:
        services.objective_create(quarter=q2, title="Faster", value_stream=value_stream, parent=parent)

    assert exc.value.message_dict["parent"] == ["The parent objective must be in the same quarter."]
