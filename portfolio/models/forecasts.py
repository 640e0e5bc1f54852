"""The cached Monte Carlo delivery forecast of each value stream, per epic and MMP.

vmo computes it (numpy, in a Celery job after each rollup); the rows live here, at the bottom
layer, because pages of every app show them: the Kanban's cards and epic page (kanban), the
scenario sequencing (funding), the value stream page and the planning workspace (vmo). No page
ever runs the simulation; it reads these rows.
"""

from django.db import models
from django.db.models import Q

from portfolio.models.base import ValueStream
from portfolio.models.epics import MMP, Epic


class Forecast(models.Model):
    """One value stream's latest forecast: its throughput history, "how many by quarter end",
    and the P85 backtest hit rate. `enough_history` is False with fewer than the minimum weeks
    with data: then no date is forecast, and pages say "too little history"."""

    value_stream = models.OneToOneField(ValueStream, on_delete=models.CASCADE, related_name="forecast")
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    trials = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    history_weeks = models.PositiveSmallIntegerField()
    weeks_with_data = models.PositiveSmallIntegerField()
    enough_history = models.BooleanField()
    # Weekly done items (oldest first) and size-weighted done work (items without size count 1).
    throughput_items = models.JSONField(default=list)
    throughput_size = models.JSONField(default=list)
    horizon_end = models.DateField(help_text="The end of the quarter 'how many' counts to.")
    how_many_p50 = models.PositiveIntegerField(null=True, blank=True)
    how_many_p85 = models.PositiveIntegerField(null=True, blank=True)
    how_many_p95 = models.PositiveIntegerField(null=True, blank=True)
    backtest_points = models.PositiveIntegerField(default=0)
    backtest_hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(backtest_hits__lte=models.F("backtest_points")), name="forecast_hits_le_points"
            )
        ]

    def __str__(self) -> str:
        return f"Forecast {self.value_stream_id} {self.as_of}"


class ForecastItem(models.Model):
    """The "when" of one epic (mmp null) or MMP: remaining work, the work ranked ahead of it in
    its stream, and the P50/P85/P95 finish dates (null: beyond the simulated horizon)."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="items")
    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="forecasts")
    mmp = models.ForeignKey(MMP, on_delete=models.CASCADE, null=True, blank=True, related_name="forecasts")
    remaining = models.PositiveIntegerField()
    ahead = models.PositiveIntegerField(default=0)
    # P50 weeks of the item's own remaining work alone (the sequencing's duration).
    solo_p50_weeks = models.PositiveIntegerField(null=True, blank=True)
    p50 = models.DateField(null=True, blank=True)
    p85 = models.DateField(null=True, blank=True)
    p95 = models.DateField(null=True, blank=True)
    probability_by_horizon = models.FloatField(null=True, blank=True)
    # Share of trials finishing in each week from as_of: [[week, share], ...] for the chart.
    histogram = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "epic"], condition=Q(mmp__isnull=True), name="forecast_item_epic"
            ),
            models.UniqueConstraint(fields=["forecast", "mmp"], name="forecast_item_mmp"),
        ]
        indexes = [models.Index(fields=["epic", "mmp"], name="forecast_item_epic_mmp_idx")]
