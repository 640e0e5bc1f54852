"""The fault suite's latency bound: lenient to scheduler jitter, never to a wait on the broker."""

from tests.faults.conftest import within_bound

NORMAL = [0.010] * 118 + [0.015, 0.016]  # p99 15 ms


def test_a_few_milliseconds_of_jitter_on_the_p99_are_within_the_bound():
    assert within_bound(NORMAL, [0.010] * 118 + [0.018, 0.019])  # x1.2 plus 3 ms


def test_a_wait_on_the_broker_socket_timeout_is_outside_the_bound():
    # Two slow requests in 120 put the p99 on a one-second broker timeout.
    assert not within_bound(NORMAL, [0.010] * 118 + [1.010, 1.010])


def test_a_fault_that_slows_every_request_by_half_is_outside_the_bound():
    assert not within_bound(NORMAL, [t * 1.5 + 0.002 for t in NORMAL])
