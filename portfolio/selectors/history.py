"""The portfolio as it stood on a past date (see `core.history` for what "as of" means)."""

import datetime as dt

from django.db.models import Case, QuerySet, Value, When

from core.history import as_of_date, end_of_day, history_as_of


def epics_as_of(*, day: dt.date) -> QuerySet:
    """Epics as they stood at the end of `day`: historical rows carrying the epic's fields, with
    `cost_of_delay`, `wsjf`, `is_unscored` and `cd3` computed by the live columns' own expressions
    (the history table does not keep generated columns), so `RANK_ORDER` ranks them the same way."""
    from portfolio.models import Epic
    from portfolio.querysets import cd3_expression, is_unscored_expression

    generated = {name: Epic._meta.get_field(name).expression for name in ("cost_of_delay", "wsjf")}
    return (
        history_as_of(Epic, day=day)
        .annotate(**generated)
        .annotate(is_unscored=is_unscored_expression(), cd3=cd3_expression())
        # `Epic.is_scored`: all four inputs given, which is exactly when WSJF is not NULL.
        .annotate(is_scored=Case(When(is_unscored=0, then=Value(True)), default=Value(False)))
    )


__all__ = ["as_of_date", "end_of_day", "epics_as_of", "history_as_of"]
