"""What the money bought, as the office's pages read it: each value stream's value figures from
its latest snapshot, MVPs waiting for a verdict, recent MVP decisions, the predictability trend
and the benefit chart. Figures come from the snapshots (the rollup) or the owning apps' selectors."""

import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import JSONField, OuterRef, Subquery

from funding.selectors import quarter_months
from funding.selectors.actuals import cost_reconciliation
from kanban.selectors import no_value_days, time_in_state_days
from portfolio.models import Quarter, ValueStream
from portfolio.money import chart_amount
from portfolio.selectors.benefits import benefit_monthly_series, mvp_evaluations_recent, mvps_unevaluated
from vmo.models import ValueStreamSnapshot
from vmo.selectors.predictability import BAND_HIGH, BAND_LOW, predictability_trend
from vmo.services.value_figures import VALUE_FIGURES


@dataclass(frozen=True)
class ValueRow:
    value_stream: ValueStream
    figures: dict  # the snapshot's value_detail (every key; None without data)


def value_rows(*, quarter: Quarter, value_stream: ValueStream | None = None) -> list[ValueRow]:
    """Active value streams (or just `value_stream`) with their latest snapshot's value figures in
    `quarter` (one query)."""
    latest = ValueStreamSnapshot.objects.filter(value_stream=OuterRef("pk"), quarter=quarter).order_by("-as_of", "-id")
    streams = ValueStream.objects.filter(active=True)
    if value_stream is not None:
        streams = streams.filter(id=value_stream.id)
    streams = streams.annotate(value_detail=Subquery(latest.values("value_detail")[:1], output_field=JSONField()))
    rows = []
    for vs in streams.order_by("name"):
        detail = vs.value_detail
        if isinstance(detail, str):  # a JSON column read through a subquery comes back as text
            detail = json.loads(detail)
        # Every key present (None without data, or for snapshots older than a figure).
        rows.append(ValueRow(value_stream=vs, figures={**dict.fromkeys(VALUE_FIGURES), **(detail or {})}))
    return rows


def mvp_watch(*, today: dt.date, value_stream_id: int | None = None) -> dict:
    """MVPs released but not evaluated after the allowed weeks, and the latest decisions, with
    just the fields the overview lists (the epics' business cases made most of their cost)."""
    unevaluated = mvps_unevaluated(today=today, value_stream_id=value_stream_id).only(
        "title", "released_on", "epic__key", "epic__value_stream__name"
    )
    decisions = mvp_evaluations_recent(limit=10, value_stream_id=value_stream_id).only(
        "result",
        "decision",
        "decided_at",
        "epic__key",
        "epic__title",
        "epic__state",
        "epic__value_stream__name",
        "mmp__title",
        "decided_by__username",
    )
    return {"unevaluated": list(unevaluated[:50]), "decisions": list(decisions)}


def value_stream_value(*, value_stream: ValueStream, quarter: Quarter, as_of: dt.date) -> dict:
    """The value stream page's charts and tables of issue 12."""
    months = quarter_months(quarter)
    benefit = benefit_monthly_series(value_stream_id=value_stream.id, months=months)
    trend = predictability_trend(quarter=quarter, as_of=as_of)
    reconciliation = cost_reconciliation(
        start=quarter.start, end=min(as_of, quarter.end), quarter=quarter, value_stream_ids=[value_stream.id]
    )
    return {
        "benefit_chart": {
            "labels": benefit["labels"],
            "planned": [chart_amount(v) for v in benefit["planned"]],
            "realised": [chart_amount(v) for v in benefit["realised"]],
        },
        "predictability_chart": {
            "labels": [q.code for q, _ in trend],
            "values": [
                None if by_stream.get(value_stream.id) is None else by_stream[value_stream.id].ratio
                for _, by_stream in trend
            ],
            "band": [BAND_LOW, BAND_HIGH],
        },
        "predictability_rows": [(q, by_stream.get(value_stream.id)) for q, by_stream in trend],
        "reconciliation": reconciliation,
        "time_in_state": time_in_state_days(value_stream_id=value_stream.id),
        "no_value_days": no_value_days(),
    }
