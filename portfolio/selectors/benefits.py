"""Reads for benefits: planned and realised benefit per epic and value stream, and MVPs that
were released but never evaluated.

Planned money benefit to a day = the monthly amount x the months started by then, counting the
start month (a benefit from 2026-07 of 1,000 a month has planned 3,000 by 2026-09-15).
Realised money benefit = the sum of its measurements up to that day. Indicators carry no money
and count in neither. Each figure is one aggregate query.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import BigIntegerField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest

from portfolio.models import (
    MMP,
    BenefitHypothesis,
    BenefitKind,
    BenefitMeasurement,
    Epic,
    MMPKind,
    MMPStatus,
    MvpEvaluation,
    Quarter,
)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month


def _start_index():
    return ExpressionWrapper(ExtractYear("start_month") * 12 + ExtractMonth("start_month"), output_field=IntegerField())


def _planned(first: dt.date | None, last: dt.date):
    """Monthly amount x months of [max(start, first), last] that have started (never negative)."""
    start = _start_index() if first is None else Greatest(_start_index(), Value(_month_index(first)))
    months = Greatest(Value(_month_index(last)) - start + 1, Value(0))
    return ExpressionWrapper(F("monthly_amount_cents") * months, output_field=BigIntegerField())


def benefit_horizon_months() -> int:
    """The months a planned money benefit is counted over for the planned return (a setting)."""
    return int(getattr(settings, "BENEFIT_HORIZON_MONTHS", 36))


def benefit_sums_by_epic(*, epic_ids: Iterable[int], as_of: dt.date) -> dict[int, dict]:
    """Per epic: `planned_cents` (to `as_of`), `horizon_cents` (over the horizon), `realised_cents`
    (to `as_of`), `has_money` (it has at least one money benefit). Epics without one are absent."""
    ids = list(epic_ids)
    planned = (
        BenefitHypothesis.objects.filter(epic_id__in=ids, kind=BenefitKind.MONEY)
        .order_by()
        .values("epic_id")
        .annotate(
            planned=Sum(_planned(None, as_of)),
            horizon=Sum(F("monthly_amount_cents") * Value(benefit_horizon_months())),
        )
    )
    realised = dict(
        BenefitMeasurement.objects.filter(
            benefit__epic_id__in=ids, benefit__kind=BenefitKind.MONEY, measured_on__lte=as_of
        )
        .order_by()
        .values("benefit__epic_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("benefit__epic_id", "total")
    )
    return {
        row["epic_id"]: {
            "planned_cents": int(row["planned"] or 0),
            "horizon_cents": int(row["horizon"] or 0),
            "realised_cents": int(realised.get(row["epic_id"]) or 0),
        }
        for row in planned
    }


def benefit_sums_by_value_stream(
    *, quarter: Quarter, as_of: dt.date, value_stream_ids: Iterable[int] | None = None
) -> dict[int, dict]:
    """Per value stream with a money benefit: planned and realised benefit in the quarter to date
    (`planned_cents`, `realised_cents`) and to date overall (`planned_to_date_cents`,
    `realised_to_date_cents`), and planned over the horizon (`horizon_cents`). Two queries."""
    last = min(as_of, quarter.end)
    benefits = BenefitHypothesis.objects.filter(kind=BenefitKind.MONEY)
    measurements = BenefitMeasurement.objects.filter(benefit__kind=BenefitKind.MONEY, measured_on__lte=as_of)
    if value_stream_ids is not None:
        ids = list(value_stream_ids)
        benefits = benefits.filter(epic__value_stream_id__in=ids)
        measurements = measurements.filter(benefit__epic__value_stream_id__in=ids)
    planned = (
        benefits.order_by()
        .values("epic__value_stream_id")
        .annotate(
            quarter=Sum(_planned(quarter.start, last)),
            to_date=Sum(_planned(None, as_of)),
            horizon=Sum(F("monthly_amount_cents") * Value(benefit_horizon_months())),
        )
    )
    realised = {
        row["benefit__epic__value_stream_id"]: row
        for row in measurements.order_by()
        .values("benefit__epic__value_stream_id")
        .annotate(
            quarter=Sum("amount_cents", filter=Q(measured_on__gte=quarter.start, measured_on__lte=last)),
            to_date=Sum("amount_cents"),
        )
    }
    result = {}
    for row in planned:
        vs_id = row["epic__value_stream_id"]
        real = realised.get(vs_id, {})
        result[vs_id] = {
            "planned_cents": int(row["quarter"] or 0),
            "realised_cents": int(real.get("quarter") or 0),
            "planned_to_date_cents": int(row["to_date"] or 0),
            "realised_to_date_cents": int(real.get("to_date") or 0),
            "horizon_cents": int(row["horizon"] or 0),
        }
    return result


def benefit_monthly_series(*, value_stream_id: int | None, months: list[dt.date]) -> dict:
    """Planned and realised money benefit per month (for a chart): two aggregate queries."""
    if not months:
        return {"labels": [], "planned": [], "realised": []}
    benefits = BenefitHypothesis.objects.filter(kind=BenefitKind.MONEY)
    measurements = BenefitMeasurement.objects.filter(
        benefit__kind=BenefitKind.MONEY, measured_on__gte=months[0], measured_on__lt=_next_month(months[-1])
    )
    if value_stream_id is not None:
        benefits = benefits.filter(epic__value_stream_id=value_stream_id)
        measurements = measurements.filter(benefit__epic__value_stream_id=value_stream_id)
    planned_aggs = {
        f"m{i}": Sum("monthly_amount_cents", filter=Q(start_month__lte=month)) for i, month in enumerate(months)
    }
    planned = benefits.aggregate(**planned_aggs)
    realised_aggs = {
        f"m{i}": Sum("amount_cents", filter=Q(measured_on__gte=month, measured_on__lt=_next_month(month)))
        for i, month in enumerate(months)
    }
    realised = measurements.aggregate(**realised_aggs)
    return {
        "labels": [m.strftime("%Y-%m") for m in months],
        "planned": [int(planned[f"m{i}"] or 0) for i in range(len(months))],
        "realised": [int(realised[f"m{i}"] or 0) for i in range(len(months))],
    }


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def benefit_list():
    """Benefits with `realised_cents`, `latest_value` and `linked_key_result_id`: the key result
    it serves. The link is the okrs app's row (okrs sits above portfolio, so nothing here imports
    it); the reverse one-to-one is a LEFT JOIN of at most one row per benefit."""
    return BenefitHypothesis.objects.select_related("epic", "mmp").annotate(
        linked_key_result_id=F("key_result_link__key_result_id"),
        realised_cents=Coalesce(
            Subquery(
                BenefitMeasurement.objects.filter(benefit=OuterRef("pk"))
                .order_by()
                .values("benefit")
                .annotate(t=Sum("amount_cents"))
                .values("t"),
                output_field=BigIntegerField(),
            ),
            Value(0),
        ),
        latest_value=Subquery(
            BenefitMeasurement.objects.filter(benefit=OuterRef("pk"), value__isnull=False)
            .order_by("-measured_on", "-id")
            .values("value")[:1]
        ),
    )


def benefits_of_epic(*, epic: Epic):
    return benefit_list().filter(epic=epic).order_by("id")


def measurements_of_epic(*, epic: Epic):
    return (
        BenefitMeasurement.objects.filter(benefit__epic=epic)
        .select_related("benefit", "recorded_by")
        .order_by("-measured_on", "-id")
    )


def mvp_evaluation_weeks() -> int:
    """After how many weeks a released MVP without an evaluation is shown as overdue (a setting)."""
    return int(getattr(settings, "MVP_EVALUATION_WEEKS", 4))


def mvps_unevaluated(*, today: dt.date, value_stream_id: int | None = None):
    """Released MVPs of open epics that nobody evaluated within the allowed weeks, oldest first."""
    cutoff = today - dt.timedelta(weeks=mvp_evaluation_weeks())
    rows = (
        MMP.objects.filter(kind=MMPKind.MVP, status=MMPStatus.RELEASED, released_on__lte=cutoff)
        .filter(epic__state__in=("implementing", "backlog"))
        .exclude(id__in=MvpEvaluation.objects.values("mmp_id"))
        .select_related("epic", "epic__value_stream")
        .order_by("released_on", "id")
    )
    if value_stream_id is not None:
        rows = rows.filter(epic__value_stream_id=value_stream_id)
    return rows


def mvp_evaluations_recent(*, limit: int = 10, value_stream_id: int | None = None):
    rows = MvpEvaluation.objects.select_related("epic", "epic__value_stream", "mmp", "decided_by")
    if value_stream_id is not None:
        rows = rows.filter(epic__value_stream_id=value_stream_id)
    return rows.order_by("-decided_at", "-id")[:limit]


def epic_release_dates():
    """Annotations: `first_release_on` (first MVP/MMP released) of an epic, as a subquery."""
    return Subquery(
        MMP.objects.filter(epic=OuterRef("pk"), status=MMPStatus.RELEASED, released_on__isnull=False)
        .order_by("released_on")
        .values("released_on")[:1]
    )


def mmps_released_by(*, mmp_ids, day: dt.date) -> set[int]:
    """Which of these MVPs/MMPs were released on or before `day` (one query)."""
    return set(
        MMP.objects.filter(
            id__in=list(mmp_ids), status=MMPStatus.RELEASED, released_on__isnull=False, released_on__lte=day
        ).values_list("id", flat=True)
    )
