"""Demo benefits: money benefit hypotheses for a third of the epics that carry delivery, with
monthly measurements since their first release: most realise about what was planned, some fall
short. Idempotent (an epic with benefits is skipped)."""

import datetime as dt
import random

from django.db import transaction

from portfolio.models import BenefitHypothesis, BenefitKind, BenefitMeasurement, Epic, EpicState, MMPStatus

# Per value stream, what its benefits are about (titles differ by stream).
BENEFIT_TITLES = {
    "payments": ("Card fee income", "Fewer chargebacks"),
    "onboarding": ("Accounts opened online", "Lower KYC handling cost"),
    "lending": ("Interest income from SME loans", "Lower default write-offs"),
    "mobile": ("App-only customers retained", "Fewer branch visits"),
    "data": ("Reports no longer bought", "Analyst hours saved"),
    "core-ops": ("Batch hours saved", "Fewer incident penalties"),
    "hr": ("Recruiting agency fees saved", "Onboarding hours saved"),
    "finance": ("Close days saved", "Audit fees saved"),
}


def _month(day: dt.date, back: int = 0) -> dt.date:
    day = day.replace(day=1)
    for _ in range(back):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


@transaction.atomic
def seed_benefits(ctx) -> None:
    rng = random.Random(12)
    vsm = ctx.users.get("vsm")
    epics = list(
        Epic.objects.filter(
            value_stream__in=ctx.value_streams,
            state__in=[EpicState.BACKLOG, EpicState.IMPLEMENTING, EpicState.DONE],
            estimated_cost_cents__isnull=False,
        )
        .select_related("value_stream")
        .order_by("id")
    )
    have = set(BenefitHypothesis.objects.filter(epic__in=epics).values_list("epic_id", flat=True))
    measurements = []
    for n, epic in enumerate(epics[::3]):
        if epic.id in have:
            continue
        titles = BENEFIT_TITLES.get(epic.value_stream.slug, ("Revenue", "Cost saved"))
        release = (
            epic.mmps.filter(status=MMPStatus.RELEASED, released_on__isnull=False)
            .order_by("released_on")
            .values_list("released_on", flat=True)
            .first()
        )
        if release:
            start = _month(release)
        elif epic.state == EpicState.DONE:
            start = _month(ctx.today, 4)  # delivered a while ago without a recorded release
        else:
            start = (_month(ctx.today).replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # next month
        # Planned to pay back the estimate in about two years.
        monthly = max(epic.estimated_cost_cents // 24 // 100 * 100, 100_00)
        benefit = BenefitHypothesis.objects.create(
            epic=epic,
            kind=BenefitKind.MONEY,
            title=titles[n % 2],
            description=f"{epic.title}: {titles[n % 2].lower()} once the first release is live.",
            monthly_amount_cents=monthly,
            start_month=start,
            created_by=vsm,
        )
        # Most deliver 85-110 % of plan; every fourth falls short (30-60 %).
        low, high = (30, 60) if n % 4 == 3 else (85, 110)
        month = start
        while month < _month(ctx.today):
            measurements.append(
                BenefitMeasurement(
                    benefit=benefit,
                    measured_on=(month.replace(day=28)),
                    amount_cents=monthly * rng.randint(low, high) // 100,
                    source="finance ledger",
                    note="monthly close",
                    recorded_by=vsm,
                )
            )
            month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    BenefitMeasurement.objects.bulk_create(measurements)
