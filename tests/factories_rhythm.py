"""Factories for the records of issue 20's events: system demos, problem-solving workshops and
retrospective notes (inspect and adapt and retrospective events come from PlanningEventFactory)."""

import factory

from tests.factories import PlanningEventFactory
from vmo.models import PlanningEventKind, ProblemWorkshop, RetroNote, RetroNoteKind, SystemDemo


class SystemDemoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemDemo

    event = factory.SubFactory(PlanningEventFactory, kind=PlanningEventKind.INSPECT_AND_ADAPT)
    shown = factory.Sequence(lambda n: f"Demo {n}")


class ProblemWorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemWorkshop

    event = factory.SubFactory(PlanningEventFactory, kind=PlanningEventKind.INSPECT_AND_ADAPT)
    problem = factory.Sequence(lambda n: f"Problem {n}")


class RetroNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetroNote

    event = factory.SubFactory(PlanningEventFactory, kind=PlanningEventKind.RETROSPECTIVE)
    kind = RetroNoteKind.WENT_WELL
    text = factory.Sequence(lambda n: f"Note {n}")
