"""Pledges under concurrency (PostgreSQL): a share is never overdrawn, an epic never overfunded."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from funding import services
from funding.models import PBPledge, PBPledgeEvent
from portfolio import roles
from tests.concurrency import threads_race
from tests.factories import EpicFactory, QuarterBudgetFactory, UserFactory, ValueStreamFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _session(*, participants, estimates):
    director = UserFactory(username="pb_conc_director", roles=[roles.DIRECTOR])
    users = [UserFactory(username=f"pb_conc_{i}") for i in range(participants)]
    stream = ValueStreamFactory()
    epics = [
        EpicFactory(value_stream=stream, state="backlog", estimated_cost_cents=cents, key=f"PBC-{i}")
        for i, cents in enumerate(estimates)
    ]
    session = services.pb_session_create(
        user=director,
        budget=QuarterBudgetFactory(total_cents=10_000_00),
        name="race",
        money_cents=100_00 * participants,
        epic_ids=[e.pk for e in epics],
        tables={"T": [u.pk for u in users]},
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    return session, users, list(session.offers.order_by("epic__key"))


def test_concurrent_pledges_of_one_participant_never_overdraw_the_share():
    # given: one participant with 100.00 and ten epics of 1,000.00; ten pledges of 30.00 at once
    session, (user,), offers = _session(participants=1, estimates=[1_000_00] * 10)

    results = threads_race(
        [
            (lambda o=o: services.pb_pledge_set(user=user, session=session, offer_id=o.pk, amount_cents=30_00))
            for o in offers
        ]
    )

    # then: exactly three fit (90.00), seven were refused, the share holds, the log agrees
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert (len(results) - len(refusals), len(refusals)) == (3, 7), [r for r in results if isinstance(r, Exception)]
    assert PBPledge.objects.aggregate(total=Sum("amount_cents"))["total"] == 90_00
    assert PBPledgeEvent.objects.count() == 3


def test_concurrent_pledges_of_a_table_never_overfund_an_epic():
    # given: eight participants at one table, an epic of 250.00; each pledges 50.00 at once
    session, users, (offer,) = _session(participants=8, estimates=[250_00])

    results = threads_race(
        [
            (lambda u=u: services.pb_pledge_set(user=u, session=session, offer_id=offer.pk, amount_cents=50_00))
            for u in users
        ]
    )

    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 3
    assert PBPledge.objects.filter(offer=offer).aggregate(total=Sum("amount_cents"))["total"] == 250_00
