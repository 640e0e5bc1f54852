"""Factories for outbound events (issue 19 point 4)."""

import factory
from django.utils import timezone

from portfolio.models import EventDelivery, EventSubscription, EventType, OutboundEvent


class EventSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSubscription

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "s3cret"
    event_types = factory.LazyFunction(lambda: list(EventType.values))


class OutboundEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEvent

    event_type = EventType.EPIC_MOVED
    payload = factory.LazyFunction(lambda: {"epic": 1})


class EventDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventDelivery

    event = factory.SubFactory(OutboundEventFactory)
    subscription = factory.SubFactory(EventSubscriptionFactory)
    next_attempt_at = factory.LazyFunction(timezone.now)
