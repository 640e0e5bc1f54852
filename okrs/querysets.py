"""OKR scoring in the database.

progress = (current - baseline) / (target - baseline). For a "decrease" KR target < baseline,
so the same formula is the mirror image. Values are cast to floating point before dividing:
SQLite stores whole decimals as integers and would otherwise divide integers.
"""

from django.db import models
from django.db.models import ExpressionWrapper, F, FloatField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Greatest, Least


def kr_progress_expression(prefix: str = ""):
    def col(name):
        return Cast(F(f"{prefix}{name}"), FloatField())

    return ExpressionWrapper(
        (col("current") - col("baseline")) / (col("target") - col("baseline")), output_field=FloatField()
    )


def kr_grade_expression(prefix: str = ""):
    return Greatest(Value(0.0), Least(Value(1.0), kr_progress_expression(prefix)), output_field=FloatField())


class KeyResultQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotate `progress_value` (raw) and `grade_value` (clamped to 0..1)."""
        return self.annotate(progress_value=kr_progress_expression(), grade_value=kr_grade_expression())


def objective_score_subquery(objective_ref: str = "pk"):
    """Weighted mean of an objective's KR grades, as a correlated subquery (None without KRs)."""
    from okrs.models import KeyResult

    weighted = (
        KeyResult.objects.filter(objective=OuterRef(objective_ref))
        .order_by()
        .values("objective")
        .annotate(
            score=Sum(kr_grade_expression() * Cast(F("weight"), FloatField()), output_field=FloatField())
            / Sum(Cast(F("weight"), FloatField()), output_field=FloatField())
        )
        .values("score")
    )
    return Subquery(weighted, output_field=FloatField())


class ObjectiveQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotate `score`: the weighted mean of the objective's KR grades."""
        return self.annotate(score=objective_score_subquery())
