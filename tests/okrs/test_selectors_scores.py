import pytest

from okrs.models import KeyResult, Objective, ObjectiveLevel
from okrs.scoring import score_band
from okrs.selectors import value_stream_okr_scores
from tests.factories import KeyResultFactory, ObjectiveFactory, QuarterFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("_case", "direction", "baseline", "target", "current", "progress", "grade"),
    [
        ("halfway up", "increase", 10, 20, 15, 0.5, 0.5),
        ("overachieved", "increase", 0, 50, 75, 1.5, 1.0),
        ("went backwards", "increase", 10, 20, 5, -0.5, 0.0),
        ("decrease, halfway", "decrease", 100, 60, 80, 0.5, 0.5),
        ("decrease, got worse", "decrease", 100, 60, 120, -0.5, 0.0),
        ("whole numbers (no integer division)", "increase", 0, 3, 1, 1 / 3, 1 / 3),
    ],
)
def test_kr_progress_and_grade(_case, direction, baseline, target, current, progress, grade):
    KeyResultFactory(direction=direction, baseline=baseline, target=target, current=current)

    kr = KeyResult.objects.with_scores().get()

    assert kr.progress_value == pytest.approx(progress)
    assert kr.grade_value == pytest.approx(grade)


def test_objective_score_is_the_weighted_mean_of_grades():
    objective = ObjectiveFactory()
    KeyResultFactory(objective=objective, baseline=0, target=100, current=100, weight=3)  # grade 1.0
    KeyResultFactory(objective=objective, baseline=0, target=100, current=20, weight=1)  # grade 0.2

    score = Objective.objects.with_scores().get().score

    assert score == pytest.approx((3 * 1.0 + 1 * 0.2) / 4)


def test_value_stream_score_averages_its_objectives_in_the_quarter():
    quarter, other_quarter = QuarterFactory(), QuarterFactory()
    stream = ValueStreamFactory()
    for current in (100, 40):
        objective = ObjectiveFactory(quarter=quarter, value_stream=stream)
        KeyResultFactory(objective=objective, baseline=0, target=100, current=current)
    ObjectiveFactory(quarter=other_quarter, value_stream=stream)
    ObjectiveFactory(quarter=quarter, level=ObjectiveLevel.PORTFOLIO, value_stream=None)

    scores = value_stream_okr_scores(quarter=quarter)

    assert scores == {stream.id: pytest.approx(0.7)}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (None, ""),
        (0.0, "off_track"),
        (0.39, "off_track"),
        (0.4, "at_risk"),
        (0.69, "at_risk"),
        (0.7, "on_track"),
        (1.0, "on_track"),
    ],
)
def test_score_bands(score, band):
    assert score_band(score) == band
