"""Writes for benefit hypotheses and their measurements.

Managers of the epic's value stream and VMO directors record them (the same rule as every other
change to an epic); measurements are append-only. Money is in the installation's one currency:
a benefit or measurement that names another currency is refused, never converted.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portfolio.models import MMP, BenefitHypothesis, BenefitKind, BenefitMeasurement, Epic
from portfolio.permissions import can_manage_value_stream
from portfolio.services.base import rollup_due_mark

BENEFIT_DENIED = "Only managers of this value stream and VMO directors may record its benefits."


def _check_currency(currency: str | None) -> None:
    if currency and currency.strip().upper() != settings.CURRENCY:
        raise ValidationError(
            {"currency": f"Benefits are in {settings.CURRENCY}, the currency of this installation; convert first."}
        )


@transaction.atomic
def benefit_create(
    *,
    user,
    epic: Epic,
    kind: str,
    title: str,
    mmp: MMP | None = None,
    description: str = "",
    monthly_amount_cents: int | None = None,
    start_month: dt.date | None = None,
    unit: str = "",
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    currency: str | None = None,
) -> BenefitHypothesis:
    """Record a benefit hypothesis of an epic (or of one of its MVPs/MMPs)."""
    if not can_manage_value_stream(user, epic.value_stream_id):
        raise PermissionDenied(BENEFIT_DENIED)
    _check_currency(currency)
    if mmp is not None and mmp.epic_id != epic.pk:
        raise ValidationError({"mmp": "That MVP/MMP belongs to another epic."})
    errors = {}
    if kind == BenefitKind.MONEY:
        if monthly_amount_cents is None:
            errors["monthly_amount"] = "A money benefit needs an amount per month."
        if start_month is None:
            errors["start_month"] = "A money benefit needs the month it starts to pay."
    elif kind == BenefitKind.INDICATOR:
        if not unit.strip():
            errors["unit"] = "A leading indicator needs a unit (e.g. % of users, sign-ups per week)."
        monthly_amount_cents = None
    if errors:
        raise ValidationError(errors)
    benefit = BenefitHypothesis(
        epic=epic,
        mmp=mmp,
        kind=kind,
        title=title,
        description=description,
        monthly_amount_cents=monthly_amount_cents,
        start_month=start_month.replace(day=1) if start_month else None,
        unit=unit.strip(),
        baseline=baseline,
        target=target,
        created_by=user,
    )
    benefit.full_clean()
    benefit.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return benefit


@transaction.atomic
def benefit_measurement_record(
    *,
    user,
    benefit: BenefitHypothesis,
    measured_on: dt.date,
    amount_cents: int | None = None,
    value: Decimal | None = None,
    source: str = "",
    note: str = "",
    currency: str | None = None,
) -> BenefitMeasurement:
    """Append a measurement: money realised (money benefits) or the indicator's value."""
    epic = benefit.epic
    if not can_manage_value_stream(user, epic.value_stream_id):
        raise PermissionDenied(BENEFIT_DENIED)
    _check_currency(currency)
    if benefit.kind == BenefitKind.MONEY:
        if amount_cents is None:
            raise ValidationError({"amount": "A money benefit is measured as an amount."})
        value = None
    else:
        if value is None:
            raise ValidationError({"value": "A leading indicator is measured as a value."})
        amount_cents = None
    measurement = BenefitMeasurement(
        benefit=benefit,
        measured_on=measured_on,
        amount_cents=amount_cents,
        value=value,
        source=source,
        note=note,
        recorded_by=user,
    )
    measurement.full_clean()
    measurement.save()
    rollup_due_mark(value_stream_ids=[epic.value_stream_id])
    return measurement
