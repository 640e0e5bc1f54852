"""Query vocabulary for OKRs: scores annotated by the database, from `okrs.scoring`."""

from django.db import models
from django.db.models import F, FloatField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast

from okrs.scoring import grade_expression, progress_expression


class KeyResultQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotate `progress_value` (raw) and `grade_value` (clamped to 0..1)."""
        return self.annotate(progress_value=progress_expression(), grade_value=grade_expression())


def objective_score_subquery(objective_ref: str = "pk", *, key_results=None):
    """Weighted mean of an objective's KR grades, as a correlated subquery (None without KRs).
    `key_results`: the KR rows to score from (default: the live ones; the history as of a date)."""
    from okrs.models import KeyResult

    key_results = KeyResult.objects.all() if key_results is None else key_results
    weighted = (
        key_results.filter(objective=OuterRef(objective_ref))
        .order_by()
        .values("objective")
        .annotate(
            score=Sum(grade_expression() * Cast(F("weight"), FloatField()), output_field=FloatField())
            / Sum(Cast(F("weight"), FloatField()), output_field=FloatField())
        )
        .values("score")
    )
    return Subquery(weighted, output_field=FloatField())


class ObjectiveQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotate `score`: the weighted mean of the objective's KR grades."""
        return self.annotate(score=objective_score_subquery())
