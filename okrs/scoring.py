"""OKR scoring, written once (DESIGN.md section 3), for the database and for Python.

progress = (current - baseline) / (target - baseline). For a "decrease" KR the target is below
the baseline, so the same formula is its mirror image. The grade is progress clamped to 0..1;
raw progress is kept. An objective's score is the weighted mean of its KRs' grades. Bands:
below 0.4 off track, 0.4 to below 0.7 at risk, from 0.7 on track.

Values are cast to floating point before dividing: SQLite stores whole decimals as integers and
would otherwise divide integers.
"""

from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Cast, Greatest, Least

ON_TRACK = 0.7
AT_RISK = 0.4
BAND_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "": "No score"}


def score_band(score: float | None) -> str:
    """off_track below 0.4, at_risk from 0.4 to below 0.7, on_track from 0.7 ('' when unscored)."""
    if score is None:
        return ""
    if score >= ON_TRACK:
        return "on_track"
    if score >= AT_RISK:
        return "at_risk"
    return "off_track"


def band_label(band: str | None) -> str:
    return BAND_LABELS.get(band or "", "")


def progress_expression(*, current: str = "current", prefix: str = ""):
    """Raw progress of `current` from the KR's baseline to its target, in the database.
    `prefix` reaches the KR through a relation (e.g. "key_result__" from a check-in), and
    `current` names the value graded (a check-in grades its own `value`)."""

    def col(name):
        return Cast(F(name), FloatField())

    return ExpressionWrapper(
        (col(current) - col(f"{prefix}baseline")) / (col(f"{prefix}target") - col(f"{prefix}baseline")),
        output_field=FloatField(),
    )


def grade_expression(*, current: str = "current", prefix: str = ""):
    """Progress clamped to 0..1, in the database."""
    return Greatest(
        Value(0.0), Least(Value(1.0), progress_expression(current=current, prefix=prefix)), output_field=FloatField()
    )
