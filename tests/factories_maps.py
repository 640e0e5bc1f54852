"""Factories of value stream maps (issue 18, point 5)."""

import factory

from portfolio.models import MapStage, ValueStreamMap
from tests.factories import ValueStreamFactory


class ValueStreamMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueStreamMap

    value_stream = factory.SubFactory(ValueStreamFactory)
    state = "current"
    title = "Current state"


class MapStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MapStage

    map = factory.SubFactory(ValueStreamMapFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Stage {n}")
    tool_statuses = factory.LazyFunction(list)
