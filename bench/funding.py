"""Funding page data (`funding_overview`) against the bare SQL sums it needs, same run."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from bench import measure


def _seed():
    from django.core.management import call_command

    from funding.models import Allocation, QuarterBudget, Spend, Team
    from portfolio.models import ValueStream
    from portfolio.selectors.base import quarter_current

    call_command("seed_demo", scale=10, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    quarter = quarter_current()
    budget = QuarterBudget.objects.get(quarter=quarter)
    missing = ValueStream.objects.exclude(allocations__budget=budget)
    Allocation.objects.bulk_create([Allocation(budget=budget, value_stream=vs, amount_cents=1) for vs in missing])
    if not Spend.objects.filter(source="bench").exists():
        rows = []
        for vs in ValueStream.objects.all():
            for month in range(1, 13):
                rows.append(
                    Spend(
                        value_stream=vs, month=dt.date(quarter.start.year, month, 1), amount_cents=100, source="bench"
                    )
                )
            Team.objects.get_or_create(value_stream=vs, name="Bench", defaults={"cost_per_sprint_cents": 100})
        Spend.objects.bulk_create(rows)
    return quarter


def run(report) -> None:
    from funding.selectors import funding_overview

    quarter = _seed()
    today = timezone.localdate()

    def ours():
        overview = funding_overview(quarter=quarter, as_of=today)
        return len(overview.rows), overview.totals

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT vs.id, (SELECT SUM(a.amount_cents) FROM funding_allocation a JOIN funding_quarterbudget b"
                " ON a.budget_id = b.id WHERE b.quarter_id = %s AND a.value_stream_id = vs.id),"
                " (SELECT SUM(s.amount_cents) FROM funding_spend s WHERE s.value_stream_id = vs.id"
                " AND s.voided_at IS NULL AND s.month >= %s AND s.month <= %s)"
                " FROM portfolio_valuestream vs",
                [quarter.pk, quarter.start, today],
            )
            return cursor.fetchall()

    streams = len(floor())
    report.ratio(
        f"funding page data ({streams} streams)",
        seconds=measure(ours),
        floor_seconds=measure(floor),
        floor="raw SQL sums of allocation and spend",
    )
