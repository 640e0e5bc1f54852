"""Money under concurrency: 20 threads writing allocations of one budget at once (PostgreSQL)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from funding import services
from funding.models import Allocation, QuarterBudget
from tests.concurrency import threads_race
from tests.factories import QuarterBudgetFactory, UserFactory, ValueStreamFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_allocations_never_exceed_the_total():
    # given: a 100.00 budget and 20 value streams, each asking for 10.00 at the same moment
    from portfolio import roles

    director = UserFactory(username="conc_director", roles=[roles.DIRECTOR])
    budget = QuarterBudgetFactory(total_cents=100_00)
    streams = [ValueStreamFactory() for _ in range(20)]

    def allocate(vs):
        return lambda: services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=10_00)

    # when
    results = threads_race([allocate(vs) for vs in streams])

    # then: exactly ten fit, the other ten were refused with the headroom message; nothing else
    successes = [r for r in results if isinstance(r, Allocation)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert (len(successes), len(refusals)) == (10, 10), [r for r in results if isinstance(r, Exception)][:3]
    assert all("Over-allocation: at most 0.00 is available" in r.message_dict["amount"][0] for r in refusals)
    assert Allocation.objects.aggregate(total=Sum("amount_cents"))["total"] == 100_00
    # allocations equal their history: one "+" row per allocation with the same amount
    history = Allocation.history.model.objects.values_list("id", "amount_cents", "history_type")
    assert sorted(history) == sorted((a.id, a.amount_cents, "+") for a in Allocation.objects.all())
    assert QuarterBudget.objects.get().total_cents == 100_00


@pytest.mark.django_db(transaction=True)
def test_concurrent_raises_of_existing_allocations_keep_the_sum_within_the_total():
    # given: 20 allocations of 1.00 in a 30.00 budget; all 20 raise theirs to 2.50 at once
    from portfolio import roles

    director = UserFactory(username="conc_director2", roles=[roles.DIRECTOR])
    budget = QuarterBudgetFactory(total_cents=30_00)
    streams = [ValueStreamFactory() for _ in range(20)]
    for vs in streams:
        services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=1_00)

    results = threads_race(
        [
            (lambda vs=vs: services.allocation_set(user=director, budget=budget, value_stream=vs, amount_cents=2_50))
            for vs in streams
        ]
    )

    # 20.00 allocated, 10.00 headroom: exactly 6 raises of 1.50 fit (9.00), the 7th would need 10.50
    assert sum(isinstance(r, Allocation) for r in results) == 6
    assert sum(isinstance(r, ValidationError) for r in results) == 14
    assert Allocation.objects.aggregate(total=Sum("amount_cents"))["total"] == 29_00
    latest = {}
    for row in Allocation.history.model.objects.order_by("history_id").values("id", "amount_cents"):
        latest[row["id"]] = row["amount_cents"]
    assert latest == dict(Allocation.objects.values_list("id", "amount_cents"))


def test_marker_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_both_ways_conserve_the_total():
    # given: A and B with 50.00 each; 10 threads move 7.00 A->B while 10 move 7.00 B->A
    from portfolio import roles

    director = UserFactory(username="conc_director3", roles=[roles.DIRECTOR])
    budget = QuarterBudgetFactory(total_cents=100_00)
    a, b = ValueStreamFactory(), ValueStreamFactory()
    services.allocation_set(user=director, budget=budget, value_stream=a, amount_cents=50_00)
    services.allocation_set(user=director, budget=budget, value_stream=b, amount_cents=50_00)

    def move(source, target):
        return lambda: services.allocation_transfer(
            user=director, budget=budget, source=source, target=target, amount_cents=7_00
        )

    results = threads_race([move(a, b) for _ in range(10)] + [move(b, a) for _ in range(10)])

    # then: no deadlock or other error surfaced; every move either happened or was refused for lack
    # of money, and the two allocations still add up to 100.00
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
    assert unexpected == []
    amounts = dict(Allocation.objects.values_list("value_stream_id", "amount_cents"))
    assert amounts[a.id] + amounts[b.id] == 100_00
    moved = sum(1 for r in results[:10] if isinstance(r, tuple)) - sum(1 for r in results[10:] if isinstance(r, tuple))
    assert amounts[a.id] == 50_00 - 7_00 * moved
