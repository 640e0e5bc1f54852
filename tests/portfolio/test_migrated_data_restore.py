"""The suite's restore of data-migration rows after a flush gives the rows the migrations gave."""

import pytest

from portfolio.models import DoraBenchmark
from tests.conftest import _migrated_data_restore

pytestmark = pytest.mark.django_db


def _benchmarks():
    return sorted(
        DoraBenchmark.objects.values_list(
            "vintage", "level", "rank", "deploys_per_week_min", "deployment_days_period", "deployment_days_min"
        )
    )


def test_restoring_after_a_flush_gives_back_the_migrated_benchmarks_with_their_deployment_day_thresholds():
    migrated = _benchmarks()
    elite = DoraBenchmark.objects.get(vintage="2024", level="elite")
    assert (elite.deployment_days_period, elite.deployment_days_min) == ("week", 5)

    DoraBenchmark.objects.all().delete()  # what a transactional test's flush does
    _migrated_data_restore()

    assert _benchmarks() == migrated
