"""The Celery app's configuration, and a real round trip through Redis to a running worker."""

import pytest

from config.celery import app, ping


def test_celery_speaks_json_only_and_acknowledges_late():
    conf = app.conf

    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    assert conf.broker_transport_options["socket_timeout"] <= 1


@pytest.mark.broker
def test_a_task_goes_through_redis_to_the_worker_and_back(real_broker):
    result = ping.delay(41)

    assert result.get(timeout=20) == 42
    assert result.successful()
