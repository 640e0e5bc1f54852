"""Funding fixtures. A participatory budgeting session to play with: 400.00 in play, two tables of two, 100.00 each.

Epics on offer: PB-1 (Payments, business features) estimate 150.00, PB-2 (Onboarding, enabler)
120.00, PB-3 (Payments, business features, H2) 80.00.
"""

import datetime as dt

import pytest
from django.utils import timezone

from funding import services
from funding.services.participatory import CapSpec
from portfolio.models import EpicState
from tests.factories import AllocationFactory, EpicFactory, QuarterBudgetFactory, UserFactory


@pytest.fixture
def players(db):
    return {name: UserFactory(username=name) for name in ("alice", "bob", "carol", "dan")}


@pytest.fixture
def pb_budget(quarter, value_stream):
    budget = QuarterBudgetFactory(quarter=quarter, total_cents=1_000_00)
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=500_00)
    return budget


@pytest.fixture
def pb_epics(value_stream, other_value_stream):
    return [
        EpicFactory(key="PB-1", value_stream=value_stream, state=EpicState.BACKLOG, estimated_cost_cents=150_00),
        EpicFactory(
            key="PB-2",
            value_stream=other_value_stream,
            state=EpicState.ANALYZING,
            estimated_cost_cents=120_00,
            investment_type="enablers",
        ),
        EpicFactory(
            key="PB-3", value_stream=value_stream, state=EpicState.BACKLOG, estimated_cost_cents=80_00, horizon="h2"
        ),
    ]


@pytest.fixture
def make_session(director, pb_budget, pb_epics, players):
    def make(caps=(), only_table=None, share_cents=None, money_cents=400_00):
        return services.pb_session_create(
            user=director,
            budget=pb_budget,
            name="Q3 game",
            money_cents=money_cents,
            epic_ids=[e.pk for e in pb_epics],
            tables={"A": [players["alice"].pk, players["bob"].pk], "B": [players["carol"].pk, players["dan"].pk]},
            ends_at=timezone.now() + dt.timedelta(hours=2),
            share_cents=share_cents,
            caps=[CapSpec(**c) for c in caps],
            only_table=only_table,
        )

    return make


@pytest.fixture
def session(make_session):
    return make_session()
