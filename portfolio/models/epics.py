"""Epics with their lean business case and WSJF inputs, MVPs/MMPs, dependencies and risks."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, FloatField, OrderBy, Q, Value, When
from django.db.models.functions import Cast
from simple_history.models import HistoricalRecords

from portfolio.models.base import DeliveryMode, Quarter, StrategicTheme, ValueStream
from portfolio.querysets import EpicQuerySet

# SAFe's modified Fibonacci scale for every WSJF input.
WSJF_SCALE = (1, 2, 3, 5, 8, 13, 20)
WSJF_CHOICES = [(n, str(n)) for n in WSJF_SCALE]


class EpicKind(models.TextChoices):
    BUSINESS = "business", "Business"
    ENABLER = "enabler", "Enabler"


class EpicState(models.TextChoices):
    FUNNEL = "funnel", "Funnel"
    REVIEWING = "reviewing", "Reviewing"
    ANALYZING = "analyzing", "Analyzing"
    BACKLOG = "backlog", "Portfolio backlog"
    IMPLEMENTING = "implementing", "Implementing"
    DONE = "done", "Done"
    NOT_PURSUED = "not_pursued", "Not pursued"


# The portfolio Kanban's columns, left to right: the forward flow of an epic. "Not pursued" is a
# terminal side exit reachable from anywhere, shown last on the board. Every list of states in
# board order (the board, its script, the demo, the move rules) reads these.
EPIC_FLOW = (
    EpicState.FUNNEL,
    EpicState.REVIEWING,
    EpicState.ANALYZING,
    EpicState.BACKLOG,
    EpicState.IMPLEMENTING,
    EpicState.DONE,
)
BOARD_STATES = (*EPIC_FLOW, EpicState.NOT_PURSUED)
CLOSED_STATES = (EpicState.DONE, EpicState.NOT_PURSUED)
OPEN_STATES = tuple(state for state in EPIC_FLOW if state not in CLOSED_STATES)


class InvestmentType(models.TextChoices):
    """Capacity-allocation categories of the lean budget guardrails."""

    BUSINESS_FEATURES = "business_features", "Business features"
    ENABLERS = "enablers", "Enablers"
    TECH_DEBT = "tech_debt", "Tech debt"
    KEEP_THE_LIGHTS_ON = "ktlo", "Keep the lights on"


class InvestmentHorizon(models.TextChoices):
    H0 = "h0", "Horizon 0 (retiring)"
    H1 = "h1", "Horizon 1 (investing / extracting)"
    H2 = "h2", "Horizon 2 (emerging)"
    H3 = "h3", "Horizon 3 (evaluating)"


# --- the epic's field groups: which fields make up each part of a lean business case --------------
WSJF_INPUTS = ("business_value", "time_criticality", "risk_reduction", "job_size")
# The epic hypothesis statement (SAFe): For <customers> who <do something> the <solution> is a
# <something> that <provides this value>. Unlike <competitor> our solution <does better>.
HYPOTHESIS_FIELDS = (
    "hypothesis_for",
    "hypothesis_who",
    "hypothesis_the",
    "hypothesis_is_a",
    "hypothesis_that",
    "hypothesis_unlike",
    "hypothesis_our_solution",
)
# Fields whose changes the epic page's history shows.
HISTORY_FIELDS = (*WSJF_INPUTS, "estimated_cost_cents", "estimated_duration_weeks", "cost_of_delay_per_week_cents")
# What a create/update may set (the state, version, go decision and computed columns are not).
EPIC_EDITABLE_FIELDS = (
    "key",
    "value_stream",
    "title",
    "kind",
    "investment_type",
    "horizon",
    "owner",
    "description",
    "delivery_mode",
    "hypothesis_for",
    "hypothesis_who",
    "hypothesis_the",
    "hypothesis_is_a",
    "hypothesis_that",
    "hypothesis_unlike",
    "hypothesis_our_solution",
    "business_outcome_hypothesis",
    "leading_indicators",
    "nonfunctional_requirements",
    "mvp_definition",
    "in_scope",
    "out_of_scope",
    "estimated_cost_cents",
    "estimated_duration_weeks",
    "cost_of_delay_per_week_cents",
    "target_quarter",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
)


class RankIndex(models.Index):
    """An index in WSJF rank order. PostgreSQL gets the NULLS LAST the rank order asks for;
    SQLite refuses NULLS FIRST/LAST in an index, so there the terms go without it (SQLite sorts
    NULL lowest, which a DESC column already puts last)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            terms = [
                OrderBy(term.expression, descending=term.descending) if isinstance(term, OrderBy) else term
                for term in self.expressions
            ]
            plain = models.Index(*terms, name=self.name)
            return plain.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


RANK_INDEX_TERMS = (
    F("wsjf").desc(nulls_last=True),
    F("cost_of_delay").desc(nulls_last=True),
    F("job_size").asc(nulls_last=True),
    F("created_at"),
    F("id"),
)


def _wsjf_input(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__in": WSJF_SCALE})


class Epic(models.Model):
    """A significant initiative with a lean business case, ranked by WSJF on the portfolio Kanban.

    `cost_of_delay` and `wsjf` are generated columns so the database ranks thousands of epics in
    one query; `wsjf` casts to floating point first so no backend ever does integer division.
    `version` is bumped by every Kanban move for optimistic concurrency.
    """

    key = models.CharField(max_length=20, unique=True)
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="epics")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=EpicKind.choices, default=EpicKind.BUSINESS)
    investment_type = models.CharField(
        max_length=20, choices=InvestmentType.choices, default=InvestmentType.BUSINESS_FEATURES
    )
    horizon = models.CharField(max_length=2, choices=InvestmentHorizon.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_epics"
    )
    description = models.TextField(blank=True, max_length=10000)
    # Empty: the epic is delivered the way its value stream delivers. The effective mode is
    # `Epic.objects.with_delivery_mode()` / `effective_delivery_mode` (one rule, querysets.py).
    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices, null=True, blank=True)

    # Epic hypothesis statement: For <customers> who <do something> the <solution> is a <how>
    # that <provides this value>. Unlike <competitor> our solution <does something better>.
    hypothesis_for = models.CharField("for", max_length=300, blank=True)
    hypothesis_who = models.CharField("who", max_length=300, blank=True)
    hypothesis_the = models.CharField("the", max_length=300, blank=True)
    hypothesis_is_a = models.CharField("is a", max_length=300, blank=True)
    hypothesis_that = models.CharField("that", max_length=300, blank=True)
    hypothesis_unlike = models.CharField("unlike", max_length=300, blank=True)
    hypothesis_our_solution = models.CharField("our solution", max_length=300, blank=True)
    business_outcome_hypothesis = models.TextField(blank=True, max_length=4000)
    leading_indicators = models.TextField(blank=True, max_length=4000)
    nonfunctional_requirements = models.TextField(blank=True, max_length=4000)
    mvp_definition = models.TextField("MVP definition", blank=True, max_length=4000)
    in_scope = models.TextField(blank=True, max_length=4000)
    out_of_scope = models.TextField(blank=True, max_length=4000)

    estimated_cost_cents = models.BigIntegerField(null=True, blank=True)
    estimated_duration_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    # CD3 inputs: cost of delay in money per week (the duration is estimated_duration_weeks).
    cost_of_delay_per_week_cents = models.BigIntegerField(null=True, blank=True)

    themes = models.ManyToManyField(StrategicTheme, related_name="epics", blank=True)
    target_quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, null=True, blank=True, related_name="target_epics"
    )

    state = models.CharField(max_length=15, choices=EpicState.choices, default=EpicState.FUNNEL, db_index=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    business_value = models.PositiveSmallIntegerField(choices=WSJF_CHOICES, null=True, blank=True)
    time_criticality = models.PositiveSmallIntegerField(choices=WSJF_CHOICES, null=True, blank=True)
    risk_reduction = models.PositiveSmallIntegerField(
        "risk reduction / opportunity enablement", choices=WSJF_CHOICES, null=True, blank=True
    )
    job_size = models.PositiveSmallIntegerField(choices=WSJF_CHOICES, null=True, blank=True)
    cost_of_delay = models.GeneratedField(
        expression=F("business_value") + F("time_criticality") + F("risk_reduction"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    wsjf = models.GeneratedField(
        expression=Case(
            When(
                job_size__gt=0,
                # PostgreSQL cannot build a generated column on another one: repeat the sum.
                then=Cast(F("business_value") + F("time_criticality") + F("risk_reduction"), FloatField())
                / Cast(F("job_size"), FloatField()),
            ),
            default=Value(None),
            output_field=FloatField(),
        ),
        output_field=FloatField(),
        db_persist=True,
    )

    # Go decision for the portfolio backlog, recorded by a VMO director when the cost is above
    # the approval-threshold guardrail.
    go_decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    go_decision_at = models.DateTimeField(null=True, blank=True)
    go_decision_note = models.TextField(blank=True, max_length=2000)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["cost_of_delay", "wsjf", "updated_at"])

    objects = EpicQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=_wsjf_input("business_value"), name="epic_business_value_scale"),
            models.CheckConstraint(condition=_wsjf_input("time_criticality"), name="epic_time_criticality_scale"),
            models.CheckConstraint(condition=_wsjf_input("risk_reduction"), name="epic_risk_reduction_scale"),
            models.CheckConstraint(condition=_wsjf_input("job_size"), name="epic_job_size_scale"),
            models.CheckConstraint(
                condition=Q(estimated_cost_cents__isnull=True) | Q(estimated_cost_cents__gte=0),
                name="epic_estimated_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_of_delay_per_week_cents__isnull=True) | Q(cost_of_delay_per_week_cents__gte=0),
                name="epic_cost_of_delay_per_week_non_negative",
            ),
            models.CheckConstraint(condition=Q(state__in=EpicState.values), name="epic_state_valid"),
        ]
        indexes = [
            models.Index(fields=["value_stream", "state"], name="epic_stream_state_idx"),
            # The WSJF rank order (RANK_ORDER in portfolio/querysets.py), term for term, so a
            # top-N list reads the first N index entries instead of sorting every epic: once
            # for the whole portfolio and once per value stream and column of the board.
            RankIndex(*RANK_INDEX_TERMS, name="epic_rank_idx"),
            RankIndex(F("value_stream"), F("state"), *RANK_INDEX_TERMS, name="epic_stream_state_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def effective_delivery_mode(self) -> str:
        """The epic's own delivery mode, else its value stream's: the value the queryset's
        `with_delivery_mode()` annotated, or computed (loading the stream if needed)."""
        annotated = self.__dict__.get("_effective_delivery_mode")
        return annotated or self.delivery_mode or self.value_stream.delivery_mode

    @effective_delivery_mode.setter
    def effective_delivery_mode(self, value: str) -> None:
        # Set by the `with_delivery_mode()` annotation of the same name.
        self.__dict__["_effective_delivery_mode"] = value

    @property
    def is_scored(self) -> bool:
        return None not in (self.business_value, self.time_criticality, self.risk_reduction, self.job_size)


class MMPKind(models.TextChoices):
    MVP = "mvp", "MVP"
    MMP = "mmp", "MMP"


class MMPStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RELEASED = "released", "Released"
    CANCELED = "canceled", "Canceled"


class MMP(models.Model):
    """A minimum viable or marketable product under an epic, with its own target and cost."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="mmps")
    kind = models.CharField(max_length=3, choices=MMPKind.choices, default=MMPKind.MMP)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    target_quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, null=True, blank=True, related_name="target_mmps"
    )
    status = models.CharField(max_length=12, choices=MMPStatus.choices, default=MMPStatus.PLANNED)
    released_on = models.DateField(null=True, blank=True)
    cost_estimate_cents = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["epic_id", "id"]
        verbose_name = "MMP"
        verbose_name_plural = "MMPs"
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_estimate_cents__isnull=True) | Q(cost_estimate_cents__gte=0),
                name="mmp_cost_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class Dependency(models.Model):
    """`epic` depends on `depends_on` (delivery of one waits for the other)."""

    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="dependents")
    description = models.CharField(max_length=500, blank=True)
    needed_by = models.DateField(null=True, blank=True)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["epic", "depends_on"], name="dependency_unique_pair"),
            models.CheckConstraint(condition=~Q(epic=F("depends_on")), name="dependency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.epic_id} depends on {self.depends_on_id}"


class RoamStatus(models.TextChoices):
    OPEN = "open", "Open (not yet ROAMed)"
    RESOLVED = "resolved", "Resolved"
    OWNED = "owned", "Owned"
    ACCEPTED = "accepted", "Accepted"
    MITIGATED = "mitigated", "Mitigated"


class Risk(models.Model):
    """A delivery risk on an epic or a whole value stream, handled the ROAM way."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="risks")
    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, null=True, blank=True, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    roam_status = models.CharField(max_length=10, choices=RoamStatus.choices, default=RoamStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_risks"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-raised_at", "id"]

    def __str__(self) -> str:
        return self.title
