"""The portfolio as it stood on a past date (see `core.history` for what "as of" means)."""

import datetime as dt

from django.db.models import Case, QuerySet, Value, When

from core.history import as_of_date, end_of_day, history_as_of


def epics_as_of(*, day: dt.date, numbered: bool = True) -> QuerySet:
    """Epics as they stood at the end of `day`: historical rows carrying the epic's fields, with
    `cost_of_delay`, `wsjf`, `is_unscored` and `cd3` computed by the live columns' own expressions
    (the history table does not keep generated columns), so `RANK_ORDER` ranks them the same way.

    The rows are found by numbering each epic's history on its index (`history_as_of(numbered=)`),
    cheapest for many epics; a reader of one epic passes `numbered=False` (the anti-join then
    looks at that epic's rows only, where the numbering would still number every epic's)."""
    from portfolio.models import Epic
    from portfolio.querysets import cd3_expression, is_unscored_expression

    generated = {name: Epic._meta.get_field(name).expression for name in ("cost_of_delay", "wsjf")}
    return (
        history_as_of(Epic, day=day, numbered=numbered)
        .annotate(**generated)
        .annotate(is_unscored=is_unscored_expression(), cd3=cd3_expression())
        # `Epic.is_scored`: all four inputs given, which is exactly when WSJF is not NULL.
        .annotate(is_scored=Case(When(is_unscored=0, then=Value(True)), default=Value(False)))
    )


__all__ = ["as_of_date", "end_of_day", "epic_as_of", "epics_as_of", "history_as_of"]


def epic_as_of(*, key: str, day: dt.date):
    """One epic for its page as it stood at the end of `day`: the live epic with its related rows
    (MMPs, dependencies, risks are shown as they are now), its own fields as they were then.
    Raises `Epic.DoesNotExist` when it did not exist then."""
    from portfolio.models import Epic
    from portfolio.selectors.epics import epic_detail

    epic = epic_detail(key=key)
    then = epics_as_of(day=day, numbered=False).filter(id=epic.pk).first()
    if then is None:
        raise Epic.DoesNotExist(f"{key} did not exist at the end of {day}.")
    for f in Epic._meta.concrete_fields:
        if hasattr(then, f.attname) and f.name not in ("cost_of_delay", "wsjf"):  # history leaves some out
            setattr(epic, f.attname, getattr(then, f.attname))
    epic.cost_of_delay, epic.wsjf = then.cost_of_delay, then.wsjf
    return epic


# The fields whose changes the drift report shows: state, WSJF inputs, estimate, target quarter.
EPIC_DRIFT_FIELDS = [
    "state",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
    "estimated_cost_cents",
    "target_quarter",
]


def epic_drift(*, start: dt.datetime, end: dt.datetime):
    """Epics' changes of state, WSJF inputs, estimate or target quarter in (start, end]."""
    from core.history import history_changes
    from portfolio.models import Epic
    from portfolio.money import format_amount

    return history_changes(
        Epic,
        start=start,
        end=end,
        fields=EPIC_DRIFT_FIELDS,
        label="{row.key} {row.title}",
        shown={"estimated_cost_cents": ("estimate", format_amount), "target_quarter": ("target quarter id", None)},
    )


def epics_history() -> list:
    """Every change of every epic, by epic then oldest first (`portfolio.history` entries,
    each labelled with the epic's key): one query, for the epics export's history sheet."""
    from portfolio.history import entries_of_many, history_rows_for
    from portfolio.models import Epic

    return [
        (entry.record.key, entry) for entry in entries_of_many(Epic, history_rows_for(Epic, objects=Epic.objects.all()))
    ]
