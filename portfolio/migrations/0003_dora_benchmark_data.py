"""The DORA benchmark tables as data: 2021, 2023 and 2024 vintages (definitions.md 2.6).

Per level: deployments per week at least, lead time and recovery strictly under (hours), change
failure rate at most. A null threshold is the low level's catch-all. Weekly figures: multiple
deploys a day is 7 or more a week, once a month is 12/52 a week, once every six months 2/52.
"""

from django.db import migrations

DAY = 24.0
WEEK = 7 * DAY
MONTH = 30 * DAY
SIX_MONTHS = 182 * DAY
PER_MONTH = 12 / 52
PER_SIX_MONTHS = 2 / 52

# vintage, level, rank, deploys/week min, lead time h max, CFR max, recovery h max
ROWS = [
    # 2021: elite on demand; high weekly to monthly; medium monthly to six-monthly.
    ("2021", "elite", 1, 7.0, 1.0, 0.15, 1.0),
    ("2021", "high", 2, PER_MONTH, WEEK, 0.30, DAY),
    ("2021", "medium", 3, PER_SIX_MONTHS, SIX_MONTHS, 0.30, WEEK),
    ("2021", "low", 4, None, None, None, None),
    # 2023 (as Apache DevLake implements it).
    ("2023", "elite", 1, 7.0, DAY, 0.05, 1.0),
    ("2023", "high", 2, 1.0, WEEK, 0.10, DAY),
    ("2023", "medium", 3, PER_MONTH, MONTH, 0.15, WEEK),
    ("2023", "low", 4, None, None, None, None),
    # 2024 Accelerate State of DevOps; the non-monotonic change failure rate is the report's.
    ("2024", "elite", 1, 7.0, DAY, 0.05, 1.0),
    ("2024", "high", 2, 1.0, WEEK, 0.20, DAY),
    ("2024", "medium", 3, PER_MONTH, MONTH, 0.10, DAY),
    ("2024", "low", 4, None, None, None, None),
]


def load(apps, schema_editor):
    DoraBenchmark = apps.get_model("portfolio", "DoraBenchmark")
    for vintage, level, rank, df, lt, cfr, rec in ROWS:
        DoraBenchmark.objects.update_or_create(
            vintage=vintage,
            level=level,
            defaults={
                "rank": rank,
                "deploys_per_week_min": df,
                "lead_time_hours_max": lt,
                "change_failure_rate_max": cfr,
                "recovery_hours_max": rec,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("portfolio", "DoraBenchmark").objects.filter(vintage__in=["2021", "2023", "2024"]).delete()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0002_dora_benchmark")]
    operations = [migrations.RunPython(load, unload)]
