"""Deployment frequency thresholds on deployment DAYS per benchmark vintage, as data.

The DORA buckets read "on demand / between once a day and once a week / between once a week
and once a month / between once a month and once every six months / less". A stream reaches a
level when the median number of deployment days per period (complete weeks or months of the
window; for the six-month bucket the window itself, which is never longer than six months) is
at least the minimum. The numbers follow Apache DevLake's published dashboard queries:
2023 (and 2024, same buckets): elite >= 5 deployment days a week, high >= 1 a week, medium
>= 1 a month; 2021: elite >= 5 a week, high >= 1 a month, medium >= 1 in the window.
One deliberate difference (listed on /metrics/): DevLake's elite needs 7 deployment days a
week, so a team deploying every working day can never be elite there; we read "daily" as
every working day (5).

Also marks the incidents linked before this change as linked explicitly by their source.
"""

from django.db import migrations

# vintage -> level -> (period, minimum deployment days); low is the catch-all.
THRESHOLDS = {
    "2021": {"elite": ("week", 5), "high": ("month", 1), "medium": ("window", 1), "low": ("", None)},
    "2023": {"elite": ("week", 5), "high": ("week", 1), "medium": ("month", 1), "low": ("", None)},
    "2024": {"elite": ("week", 5), "high": ("week", 1), "medium": ("month", 1), "low": ("", None)},
}


def load(apps, schema_editor):
    DoraBenchmark = apps.get_model("portfolio", "DoraBenchmark")
    for vintage, levels in THRESHOLDS.items():
        for level, (period, minimum) in levels.items():
            DoraBenchmark.objects.filter(vintage=vintage, level=level).update(
                deployment_days_period=period, deployment_days_min=minimum
            )
    Incident = apps.get_model("portfolio", "Incident")
    Incident.objects.filter(deployment__isnull=False, deployment_link="").update(deployment_link="explicit")


def unload(apps, schema_editor):
    apps.get_model("portfolio", "DoraBenchmark").objects.update(deployment_days_period="", deployment_days_min=None)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0006_delivery_figures")]
    operations = [migrations.RunPython(load, unload)]
