"""Reads for OKRs."""

from django.db.models import Avg, FloatField

from okrs.models import Objective, ObjectiveLevel
from okrs.querysets import objective_score_subquery
from portfolio.models import Quarter

ON_TRACK = 0.7
AT_RISK = 0.4


def score_band(score: float | None) -> str:
    """off_track below 0.4, at_risk from 0.4 to below 0.7, on_track from 0.7 ('' when unscored)."""
    if score is None:
        return ""
    if score >= ON_TRACK:
        return "on_track"
    if score >= AT_RISK:
        return "at_risk"
    return "off_track"


def value_stream_okr_scores(*, quarter: Quarter) -> dict[int, float | None]:
    """OKR score per value stream in a quarter: the mean of its value-stream objectives' scores
    (each the weighted mean of its KR grades). One query for all value streams."""
    rows = (
        Objective.objects.filter(quarter=quarter, level=ObjectiveLevel.VALUE_STREAM)
        .annotate(score=objective_score_subquery())
        .order_by()
        .values("value_stream")
        .annotate(okr_score=Avg("score", output_field=FloatField()))
        .values_list("value_stream", "okr_score")
    )
    return dict(rows)
