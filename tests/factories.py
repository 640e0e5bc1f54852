"""factory_boy factories for every model; app test packages import from here."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from funding.models import (
    Allocation,
    EpicEstimate,
    Guardrail,
    QuarterBudget,
    Scenario,
    ScenarioLine,
    Spend,
    Team,
    TeamSprint,
)
from kanban.models import Transition, WipLimit
from okrs.models import CheckIn, KeyResult, Objective, ObjectiveLevel
from portfolio.models import (
    MMP,
    Dependency,
    Deployment,
    Epic,
    Incident,
    Quarter,
    Risk,
    Source,
    StrategicTheme,
    ValueStream,
    WorkItem,
)
from vmo.models import ActionItem, PlanningEvent, PlanningEventKind, ValueStreamSnapshot


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])


class ValueStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueStream
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Value stream {n}")
    slug = factory.Sequence(lambda n: f"value-stream-{n}")

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


def quarter_dates(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)) - dt.timedelta(days=1)
    return start, end


class QuarterFactory(factory.django.DjangoModelFactory):
    """Quarters follow each other from 2026-Q1 so they never overlap."""

    class Meta:
        model = Quarter
        django_get_or_create = ("code",)

    class Params:
        index = factory.Sequence(lambda n: n)

    code = factory.LazyAttribute(lambda o: f"{2026 + o.index // 4}-Q{o.index % 4 + 1}")
    start = factory.LazyAttribute(lambda o: quarter_dates(int(o.code[:4]), int(o.code[-1]))[0])
    end = factory.LazyAttribute(lambda o: quarter_dates(int(o.code[:4]), int(o.code[-1]))[1])


class StrategicThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicTheme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class EpicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epic

    key = factory.Sequence(lambda n: f"EP-{n}")
    value_stream = factory.SubFactory(ValueStreamFactory)
    title = factory.Sequence(lambda n: f"Epic {n}")


class MMPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MMP

    epic = factory.SubFactory(EpicFactory)
    title = factory.Sequence(lambda n: f"MMP {n}")


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    epic = factory.SubFactory(EpicFactory)
    depends_on = factory.SubFactory(EpicFactory)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    value_stream = factory.SubFactory(ValueStreamFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    value_stream = factory.SubFactory(ValueStreamFactory)
    source = Source.MANUAL
    external_id = factory.Sequence(lambda n: f"WI-{n}")
    title = factory.Sequence(lambda n: f"Work item {n}")
    created_at = factory.LazyFunction(timezone.now)


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    value_stream = factory.SubFactory(ValueStreamFactory)
    source = Source.MANUAL
    external_id = factory.Sequence(lambda n: f"DEP-{n}")
    deployed_at = factory.LazyFunction(timezone.now)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    value_stream = factory.SubFactory(ValueStreamFactory)
    source = Source.MANUAL
    external_id = factory.Sequence(lambda n: f"INC-{n}")
    opened_at = factory.LazyFunction(timezone.now)


class QuarterBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterBudget

    quarter = factory.SubFactory(QuarterFactory)
    total_cents = 30_000_000_00


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    budget = factory.SubFactory(QuarterBudgetFactory)
    value_stream = factory.SubFactory(ValueStreamFactory)
    amount_cents = 1_000_000_00


class GuardrailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardrail

    budget = factory.SubFactory(QuarterBudgetFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    value_stream = factory.SubFactory(ValueStreamFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    cost_per_sprint_cents = 100_000_00


class TeamSprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamSprint
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    start = dt.date(2026, 7, 1)
    end = dt.date(2026, 7, 14)
    cost_cents = factory.LazyAttribute(lambda o: o.team.cost_per_sprint_cents)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if create and extracted:
            self.work_items.set(extracted)


class EpicEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpicEstimate

    epic = factory.SubFactory(EpicFactory)
    amount_cents = 500_000_00


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spend

    value_stream = factory.SubFactory(ValueStreamFactory)
    month = dt.date(2026, 1, 1)
    amount_cents = 100_000_00


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    budget = factory.SubFactory(QuarterBudgetFactory)
    name = factory.Sequence(lambda n: f"Scenario {n}")


class ScenarioLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioLine

    scenario = factory.SubFactory(ScenarioFactory)
    value_stream = factory.SubFactory(ValueStreamFactory)
    amount_cents = 1_000_000_00


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    quarter = factory.SubFactory(QuarterFactory)
    level = ObjectiveLevel.VALUE_STREAM
    value_stream = factory.SubFactory(ValueStreamFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    baseline = 0
    target = 100
    current = 0


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    key_result = factory.SubFactory(KeyResultFactory)
    date = factory.LazyFunction(timezone.localdate)
    value = 0
    confidence = 5
    author = factory.SubFactory(UserFactory)


class WipLimitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WipLimit

    state = "analyzing"
    limit = 5


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transition

    epic = factory.SubFactory(EpicFactory)
    from_state = "funnel"
    to_state = "reviewing"
    at = factory.LazyFunction(timezone.now)


class PlanningEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanningEvent

    kind = PlanningEventKind.QUARTERLY_PLANNING
    quarter = factory.SubFactory(QuarterFactory)
    title = factory.Sequence(lambda n: f"Planning event {n}")
    date = factory.LazyFunction(timezone.localdate)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"Action item {n}")


class ValueStreamSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueStreamSnapshot

    value_stream = factory.SubFactory(ValueStreamFactory)
    quarter = factory.SubFactory(QuarterFactory)
    as_of = factory.LazyFunction(timezone.localdate)
    computed_at = factory.LazyFunction(timezone.now)


def ready_epic_fields(**overrides) -> dict:
    """Fields of an epic that meets every entry policy up to the portfolio backlog."""
    fields = {
        "hypothesis_for": "retail customers",
        "hypothesis_who": "pay by phone",
        "hypothesis_the": "instant payments",
        "hypothesis_is_a": "payment rail",
        "hypothesis_that": "settles in seconds",
        "hypothesis_unlike": "card transfers",
        "hypothesis_our_solution": "costs nothing to the payer",
        "business_outcome_hypothesis": "10% more mobile payments",
        "mvp_definition": "Instant payments between our own customers",
        "estimated_cost_cents": 500_000_00,
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
        "job_size": 5,
    }
    fields.update(overrides)
    return fields
