"""Query vocabulary for portfolio models: scoping and common annotations."""

from django.db import models
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone


class ValueStreamQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def managed_by(self, user):
        """Value streams whose figures and epics `user` may change as their manager."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(managers=user)


class QuarterQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(start__lte=day, end__gte=day)

    def current(self, *, today=None):
        """The quarter containing today, else the latest one that started, else the first one."""
        today = today or timezone.localdate()
        return (
            self.containing(today).first()
            or self.filter(start__lte=today).order_by("-start").first()
            or self.order_by("start").first()
        )


class EpicQuerySet(models.QuerySet):
    """Ranking vocabulary for epics; the database computes and orders, Python never does."""

    def with_is_scored(self):
        """`is_unscored` (0/1) so ranking can put unscored epics last on every backend."""
        return self.annotate(is_unscored=is_unscored_expression())

    def with_cd3(self):
        """CD3 (Reinertsen): cost of delay per week / duration in weeks, where an epic carries
        both money figures. A priority score in cents per week per week, not an amount of money,
        so a float; NULL when a figure is missing."""
        return self.annotate(cd3=cd3_expression())

    def ranked(self):
        """WSJF ranking (DESIGN.md section 3): wsjf desc, cost of delay desc, job size asc,
        older first, id; unscored epics last (NULLs sort differently per backend, so explicit).

        `is_unscored` is annotated for callers that show it, but the order does not sort on it:
        `wsjf` is NULL exactly when an input is missing, so `wsjf DESC NULLS LAST` already puts
        unscored epics last, and an ORDER BY that matches `epic_rank_idx` term for term lets
        PostgreSQL read the top N from the index instead of sorting the table."""
        return self.with_is_scored().order_by(*RANK_ORDER)

    def with_delivery_mode(self):
        """`effective_delivery_mode`: the epic's own mode where it has one, else its value
        stream's (the one rule; `Epic.effective_delivery_mode` is the same for one epic)."""
        return self.annotate(effective_delivery_mode=Coalesce("delivery_mode", "value_stream__delivery_mode"))

    def in_delivery_mode(self, mode: str):
        return self.with_delivery_mode().filter(effective_delivery_mode=mode)

    def open(self):
        """Epics still in play: anywhere on the board but done or not pursued."""
        from portfolio.models.epics import CLOSED_STATES

        return self.exclude(state__in=CLOSED_STATES)

    def funded_in(self, quarter, *, current=None):
        """Epics the quarter funds: those targeting it, plus those with no target quarter when
        `quarter` is the current one (an epic without a target is funded from the current quarter).

        `current` saves the query for the current quarter when the caller already has it."""
        if current is None:
            current = type(quarter).objects.current()
        condition = models.Q(target_quarter=quarter)
        if current is not None and current.pk == quarter.pk:
            condition |= models.Q(target_quarter__isnull=True)
        return self.filter(condition)


def is_unscored_expression():
    """1 for an epic without WSJF, else 0 (also used on history rows, see selectors.history)."""
    return models.Case(
        models.When(wsjf__isnull=True, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def cd3_expression():
    """CD3 from an epic's money figures (also used on history rows, see selectors.history)."""
    return models.Case(
        models.When(
            cost_of_delay_per_week_cents__isnull=False,
            estimated_duration_weeks__gt=0,
            then=Cast("cost_of_delay_per_week_cents", models.FloatField())
            / Cast("estimated_duration_weeks", models.FloatField()),
        ),
        default=models.Value(None),
        output_field=models.FloatField(),
    )


# The rank order, term for term the columns of the rank indexes on Epic (portfolio/models/epics.py).
RANK_ORDER = (
    models.F("wsjf").desc(nulls_last=True),
    models.F("cost_of_delay").desc(nulls_last=True),
    models.F("job_size").asc(nulls_last=True),
    "created_at",
    "id",
)
