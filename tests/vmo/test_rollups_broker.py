"""Rollups through Redis, run by a real Celery worker (CI starts one; see .ci/run)."""

import pytest
from django.db import transaction
from django.utils import timezone

from portfolio.models import RollupDue
from portfolio.services.base import rollup_due_mark
from tests.factories import ValueStreamFactory, WorkItemFactory
from vmo.models import ValueStreamSnapshot

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_a_rollup_task_runs_on_the_worker_and_writes_the_snapshot(real_broker, current_quarter):
    from vmo.tasks import rollup_all_task

    quarter = current_quarter
    vs = ValueStreamFactory()
    now = timezone.now()
    WorkItemFactory(value_stream=vs, status="done", created_at=now, started_at=now, finished_at=now)

    result = rollup_all_task.delay(quarter_id=quarter.id, value_stream_ids=[vs.id])

    assert result.get(timeout=60) == {"value_streams": 1}
    snapshot = ValueStreamSnapshot.objects.get(value_stream=vs)
    assert (snapshot.quarter_id, snapshot.flow_velocity) == (quarter.id, 1)


@pytest.mark.usefixtures("current_quarter")
def test_a_committed_write_is_drained_by_the_worker(real_broker):
    from vmo.tasks import rollup_outbox_drain_task

    vs = ValueStreamFactory()
    with transaction.atomic():
        rollup_due_mark(value_stream_ids=[vs.id])  # commits, and the on-commit nudge goes to Redis

    # The solo worker runs tasks one after another: once this drain answers, the nudge's has run.
    rollup_outbox_drain_task.delay().get(timeout=60)

    assert ValueStreamSnapshot.objects.filter(value_stream=vs).count() == 1
    assert RollupDue.objects.count() == 0
