"""Lean budgets: a portfolio budget per quarter, allocated to value streams within guardrails.

Money is integer cents (`*_cents`), handled as Decimal in Python and sent as strings. Financial
rows are never hard-deleted (PROTECT, and spend is voided rather than deleted).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from portfolio.models import Epic, Quarter, ValueStream, WorkItem


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    CLOSED = "closed", "Closed"


class QuarterBudget(models.Model):
    """The portfolio budget of one quarter: draft -> approved -> closed.

    `sum(allocations) <= total` is kept by the allocation service under a row lock on the budget;
    an approved budget changes only through a `BudgetRevision`, a closed one is frozen.
    """

    quarter = models.OneToOneField(Quarter, on_delete=models.PROTECT, related_name="budget")
    total_cents = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter__start"]
        constraints = [
            models.CheckConstraint(condition=Q(total_cents__gte=0), name="budget_total_non_negative"),
            models.CheckConstraint(condition=Q(status__in=BudgetStatus.values), name="budget_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.quarter_id}"


class BudgetRevision(models.Model):
    """An audited change to an approved budget or its allocations, with the reason for it."""

    budget = models.ForeignKey(QuarterBudget, on_delete=models.PROTECT, related_name="revisions")
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Allocation(models.Model):
    """The part of a quarter's budget given to one value stream."""

    budget = models.ForeignKey(QuarterBudget, on_delete=models.PROTECT, related_name="allocations")
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="allocations")
    amount_cents = models.BigIntegerField()
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["value_stream__name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "value_stream"], name="allocation_unique_per_stream"),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="allocation_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.value_stream_id} in {self.budget_id}"


class Guardrail(models.Model):
    """Lean budget guardrails of a budget: capacity allocation by investment type (percent,
    summing to 100), an optional horizon mix, and the approval threshold for significant epics."""

    budget = models.OneToOneField(QuarterBudget, on_delete=models.PROTECT, related_name="guardrail")
    business_features_pct = models.PositiveSmallIntegerField(default=60)
    enablers_pct = models.PositiveSmallIntegerField(default=20)
    tech_debt_pct = models.PositiveSmallIntegerField(default=10)
    ktlo_pct = models.PositiveSmallIntegerField("keep the lights on %", default=10)
    horizon_h0_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    horizon_h1_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    horizon_h2_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    horizon_h3_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    approval_threshold_cents = models.BigIntegerField(null=True, blank=True)
    drift_tolerance_pct = models.PositiveSmallIntegerField(default=5)
    # How far a month's labour spend of a value stream may stray from the cost of its teams'
    # sprints before the funding page, the value stream page and the monthly report flag it.
    cost_tolerance_pct = models.PositiveSmallIntegerField(default=10)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(business_features_pct=100 - F("enablers_pct") - F("tech_debt_pct") - F("ktlo_pct")),
                name="guardrail_capacity_sums_to_100",
            ),
            models.CheckConstraint(
                condition=(
                    Q(horizon_h0_pct__isnull=True)
                    & Q(horizon_h1_pct__isnull=True)
                    & Q(horizon_h2_pct__isnull=True)
                    & Q(horizon_h3_pct__isnull=True)
                )
                | Q(horizon_h0_pct=100 - F("horizon_h1_pct") - F("horizon_h2_pct") - F("horizon_h3_pct")),
                name="guardrail_horizon_sums_to_100",
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold_cents__isnull=True) | Q(approval_threshold_cents__gte=0),
                name="guardrail_threshold_non_negative",
            ),
        ]


class Team(models.Model):
    """A fixed-cost team: its money capacity in a quarter is sprints in the quarter x cost per sprint."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    cost_per_sprint_cents = models.BigIntegerField()
    sprint_length_days = models.PositiveSmallIntegerField(default=14)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    headcount = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["value_stream__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["value_stream", "name"], name="team_unique_name_per_stream"),
            models.CheckConstraint(condition=Q(cost_per_sprint_cents__gte=0), name="team_cost_non_negative"),
            models.CheckConstraint(condition=Q(sprint_length_days__gte=1), name="team_sprint_length_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamSprint(models.Model):
    """One sprint of a fixed-cost team and the work items it worked on.

    `cost_cents` is the team's cost per sprint when the sprint was recorded (a later change of
    the team's rate does not rewrite what past sprints cost). Actual cost per epic spreads this
    cost over the epics of the linked work items that are done, by size
    (`funding.selectors.actuals`); the month of a sprint is the month it ends in.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="sprints")
    start = models.DateField()
    end = models.DateField()
    cost_cents = models.BigIntegerField()
    work_items = models.ManyToManyField(WorkItem, related_name="sprints", blank=True)
    # Typed figures for teams whose tool sends no work items; when blank the figures come from
    # the linked work items (`funding.selectors.sprints`): committed = their size, done = the
    # size of those done by the sprint's last day (an item without size counts 1).
    committed_size = models.PositiveIntegerField(null=True, blank=True)
    done_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "start"], name="team_sprint_unique_start"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="team_sprint_end_after_start"),
            models.CheckConstraint(condition=Q(cost_cents__gte=0), name="team_sprint_cost_non_negative"),
        ]
        indexes = [models.Index(fields=["end"], name="team_sprint_end_idx")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.start}"


class EpicEstimate(models.Model):
    """The top-down estimate of an epic, entered as money or as N sprints of a team.

    The service keeps `Epic.estimated_cost_cents` equal to `amount_cents`.
    """

    epic = models.OneToOneField(Epic, on_delete=models.PROTECT, related_name="funding_estimate")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="estimates")
    sprints = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="estimate_amount_non_negative"),
            models.CheckConstraint(
                condition=(Q(team__isnull=True) & Q(sprints__isnull=True))
                | (Q(team__isnull=False) & Q(sprints__isnull=False)),
                name="estimate_team_and_sprints_together",
            ),
        ]


class SpendCategory(models.TextChoices):
    LABOUR = "labour", "Labour"
    LICENCES = "licences", "Licences"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    OTHER = "other", "Other"


class Spend(models.Model):
    """Actual spend of a value stream in a month. Corrections void a row; nothing is deleted."""

    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="spend")
    month = models.DateField(help_text="First day of the month.")
    amount_cents = models.BigIntegerField()
    category = models.CharField(max_length=20, choices=SpendCategory.choices, default=SpendCategory.LABOUR)
    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, null=True, blank=True, related_name="spend")
    source = models.CharField(max_length=60, default="manual")
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "value_stream_id", "id"]
        verbose_name_plural = "spend"
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="spend_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["value_stream", "month"], name="spend_stream_month_idx")]


class Scenario(models.Model):
    """A named what-if copy of a budget's allocations; committing one makes it the allocations."""

    budget = models.ForeignKey(QuarterBudget, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField(max_length=120)
    note = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    # Set when the optimiser wrote this scenario: the comparison with plain WSJF order, the
    # binding constraints, the shadow price and the suggested sequence, as the page shows them.
    optimisation = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(excluded_fields=["optimisation"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["budget", "name"], name="scenario_unique_name")]

    def __str__(self) -> str:
        return self.name


class ScenarioLine(models.Model):
    """One value stream's amount in a scenario."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="lines")
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "value_stream"], name="scenario_line_unique"),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="scenario_line_non_negative"),
        ]


class FundingOverride(models.Model):
    """A director's recorded decision to let an epic into implementing without funding room."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="funding_overrides")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


# --- participatory budgeting ---------------------------------------------------------------------
# SAFe's participatory budgeting: participants at tables pool equal shares of part of a quarter's
# unallocated budget to fund the epics on offer. Each table plays on its own (a table's pledges
# are hidden from the others until the session closes); the outcome is what the tables funded.


class PBSessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PBSession(models.Model):
    """A participatory budgeting session of a quarter's budget.

    `money_cents` (at most the budget's unallocated money when created) is split into the
    participants' shares; pledges happen in rounds (`round`), each closed by the director, and
    the session's close ends the last one. `scenario` is the funding scenario its outcome became.
    """

    budget = models.ForeignKey(QuarterBudget, on_delete=models.PROTECT, related_name="pb_sessions")
    name = models.CharField(max_length=120)
    money_cents = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=PBSessionStatus.choices, default=PBSessionStatus.OPEN)
    round = models.PositiveSmallIntegerField(default=1)
    ends_at = models.DateTimeField(help_text="The time box: no pledge after it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    scenario = models.OneToOneField(
        Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="pb_session"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(money_cents__gte=0), name="pb_session_money_non_negative"),
            models.CheckConstraint(condition=Q(status__in=PBSessionStatus.values), name="pb_session_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class PBTable(models.Model):
    """A small group of participants whose pledges pool."""

    session = models.ForeignKey(PBSession, on_delete=models.PROTECT, related_name="tables")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["session_id", "name"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="pb_table_unique_name")]

    def __str__(self) -> str:
        return self.name


class PBParticipant(models.Model):
    """A user at a table with their share of the money; the pledge service locks this row."""

    session = models.ForeignKey(PBSession, on_delete=models.PROTECT, related_name="participants")
    table = models.ForeignKey(PBTable, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pb_seats")
    share_cents = models.BigIntegerField()

    class Meta:
        ordering = ["table_id", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="pb_participant_once"),
            models.CheckConstraint(condition=Q(share_cents__gte=0), name="pb_share_non_negative"),
        ]


class PBOffer(models.Model):
    """An epic on offer in a session, with its estimate as it stood when the session opened.

    `only_table` is the colour of money: when set, only that table's money may fund the epic.
    """

    session = models.ForeignKey(PBSession, on_delete=models.PROTECT, related_name="offers")
    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="pb_offers")
    estimate_cents = models.BigIntegerField()
    only_table = models.ForeignKey(PBTable, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["session_id", "epic__key"]
        constraints = [
            models.UniqueConstraint(fields=["session", "epic"], name="pb_offer_once"),
            models.CheckConstraint(condition=Q(estimate_cents__gt=0), name="pb_offer_estimate_positive"),
        ]


class PBCap(models.Model):
    """A colour-of-money cap: at most `max_pct` of a table's money to epics of one investment
    type or one horizon (exactly one of the two is set)."""

    session = models.ForeignKey(PBSession, on_delete=models.PROTECT, related_name="caps")
    investment_type = models.CharField(max_length=20, blank=True)
    horizon = models.CharField(max_length=2, blank=True)
    max_pct = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_pct__lte=100), name="pb_cap_pct_max_100"),
            models.CheckConstraint(
                condition=(Q(investment_type="") & ~Q(horizon="")) | (~Q(investment_type="") & Q(horizon="")),
                name="pb_cap_one_dimension",
            ),
        ]


class PBPledge(models.Model):
    """A participant's money on one epic now. `locked` once a round closed with the epic funded
    at their table (funded money stays); pledges to unfunded epics are returned (set to 0)."""

    participant = models.ForeignKey(PBParticipant, on_delete=models.PROTECT, related_name="pledges")
    offer = models.ForeignKey(PBOffer, on_delete=models.PROTECT, related_name="pledges")
    amount_cents = models.BigIntegerField(default=0)
    locked = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "offer"], name="pb_pledge_once"),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="pb_pledge_non_negative"),
        ]


class PBEventKind(models.TextChoices):
    PLEDGE = "pledge", "Pledge"
    RETURN = "return", "Returned at round end"


class PBPledgeEvent(models.Model):
    """The append-only pledge log: every change of a pledge (its new amount), in order. The
    outcome is reproducible from it (`funding.selectors.participatory.pb_replay`)."""

    session = models.ForeignKey(PBSession, on_delete=models.PROTECT, related_name="events")
    participant = models.ForeignKey(PBParticipant, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(PBOffer, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=PBEventKind.choices)
    amount_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gte=0), name="pb_event_non_negative")]


class PBComment(models.Model):
    """A message in an epic's short discussion thread, seen by its table only (until close)."""

    offer = models.ForeignKey(PBOffer, on_delete=models.PROTECT, related_name="comments")
    table = models.ForeignKey(PBTable, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
