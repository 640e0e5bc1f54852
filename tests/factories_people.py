"""Factories for issue 20's people, impediments, feedback and release trains."""

import datetime as dt

import factory
from django.utils import timezone

from tests.factories import EpicFactory, QuarterFactory, TeamFactory, UserFactory, ValueStreamFactory
from vmo.models_people import (
    CustomerFeedback,
    ExecutiveActionTeam,
    Impediment,
    PIObjective,
    ProgramIncrement,
    ReleaseTrain,
    Sentiment,
    StreamRole,
    StreamRoleKind,
)


class ExecutiveActionTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExecutiveActionTeam

    quarter = factory.SubFactory(QuarterFactory)
    charter = "Remove the obstacles the value streams cannot."


class StreamRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreamRole

    value_stream = factory.SubFactory(ValueStreamFactory)
    user = factory.SubFactory(UserFactory)
    role = StreamRoleKind.LIAISON
    team = None


class ImpedimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Impediment

    title = factory.Sequence(lambda n: f"Impediment {n}")
    value_stream = factory.SubFactory(ValueStreamFactory)
    raised_on = factory.LazyFunction(timezone.localdate)


class CustomerFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerFeedback

    epic = factory.SubFactory(EpicFactory)
    source = "Customer interview"
    received_on = factory.LazyFunction(timezone.localdate)
    sentiment = Sentiment.POSITIVE
    quote = "It saves us a day a week."


class ReleaseTrainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseTrain

    value_stream = factory.SubFactory(ValueStreamFactory)
    name = factory.Sequence(lambda n: f"Train {n}")


class ProgramIncrementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramIncrement

    train = factory.SubFactory(ReleaseTrainFactory)
    name = factory.Sequence(lambda n: f"PI {n}")
    start = dt.date(2026, 7, 1)
    end = dt.date(2026, 9, 8)


class PIObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PIObjective

    increment = factory.SubFactory(ProgramIncrementFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    planned_value = 5


__all__ = ["TeamFactory"]
