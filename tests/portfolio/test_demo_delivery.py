"""The demo delivery data: idempotent, and shaped so one stream is elite and one struggles."""

import datetime as dt

import pytest
from django.utils import timezone

from portfolio import demo_delivery
from portfolio.models import Deployment, Incident, WorkItem
from portfolio.selectors.delivery import Window, delivery_figures
from tests.factories import ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing_and_the_streams_differ_visibly():
    elite = ValueStreamFactory(slug="payments", name="Digital Payments")
    struggling = ValueStreamFactory(slug="core-ops", name="Core Banking Operations")
    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)

    first = demo_delivery.seed_delivery(value_streams=[elite, struggling], now=now)
    counts = (WorkItem.objects.count(), Deployment.objects.count(), Incident.objects.count())
    again = demo_delivery.seed_delivery(value_streams=[elite, struggling], now=now)

    assert counts == (first["work_items"], first["deployments"], first["incidents"])
    assert again == {"work_items": 0, "deployments": 0, "incidents": 0}
    assert (WorkItem.objects.count(), Deployment.objects.count(), Incident.objects.count()) == counts
    assert WorkItem.objects.filter(created_at__lt=now - dt.timedelta(days=540)).exists()
    window = Window(start=now - dt.timedelta(days=90), end=now)
    figures = delivery_figures(window=window, value_stream_ids=[elite.id, struggling.id])
    assert figures[elite.id].dora_level == "elite"
    assert figures[struggling.id].dora_level == "low"
    assert figures[elite.id].flow_time_median_days < figures[struggling.id].flow_time_median_days
    assert timezone.is_aware(WorkItem.objects.first().created_at)
