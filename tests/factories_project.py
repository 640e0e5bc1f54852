"""Factories for project (waterfall) mode: plans, phases, milestones, stage gates, decisions."""

import datetime as dt

import factory
from django.utils import timezone

from portfolio.models import (
    DeliveryMode,
    GateDecision,
    Milestone,
    ProjectPhase,
    ProjectPlan,
    StageGate,
    StageGateDecision,
)
from tests.factories import EpicFactory, UserFactory, ValueStreamFactory


class ProjectStreamFactory(ValueStreamFactory):
    delivery_mode = DeliveryMode.PROJECT


class ProjectPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPlan

    epic = factory.SubFactory(EpicFactory, value_stream=factory.SubFactory(ProjectStreamFactory))
    baseline_budget_cents = 100_000_00


class ProjectPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPhase

    epic = factory.SubFactory(EpicFactory)
    name = factory.Sequence(lambda n: f"Phase {n}")
    baseline_start = dt.date(2026, 7, 1)
    baseline_end = dt.date(2026, 7, 31)
    forecast_start = factory.SelfAttribute("baseline_start")
    forecast_end = factory.SelfAttribute("baseline_end")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    epic = factory.SubFactory(EpicFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    baseline_date = dt.date(2026, 7, 15)
    forecast_date = factory.SelfAttribute("baseline_date")


class StageGateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageGate

    epic = factory.SubFactory(EpicFactory)
    key = factory.Sequence(lambda n: f"gate-{n}")
    name = factory.Sequence(lambda n: f"Gate {n}")


class StageGateDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageGateDecision

    gate = factory.SubFactory(StageGateFactory)
    decision = GateDecision.APPROVED
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)
