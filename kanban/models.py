"""The portfolio Kanban: WIP limits per state (optionally per value stream) and the move log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio.models import Epic, EpicState, ValueStream


class WipLimit(models.Model):
    """At most `limit` epics in `state`, portfolio-wide or (with a value stream) within one stream."""

    state = models.CharField(max_length=15, choices=EpicState.choices)
    value_stream = models.ForeignKey(
        ValueStream, on_delete=models.CASCADE, null=True, blank=True, related_name="wip_limits"
    )
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["state", "value_stream_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(value_stream__isnull=True), name="wip_limit_unique_portfolio_state"
            ),
            models.UniqueConstraint(
                fields=["state", "value_stream"],
                condition=Q(value_stream__isnull=False),
                name="wip_limit_unique_stream_state",
            ),
        ]

    def __str__(self) -> str:
        scope = self.value_stream_id or "portfolio"
        return f"{self.state} <= {self.limit} ({scope})"


class Transition(models.Model):
    """One move of an epic on the board; epic flow metrics are aggregates over these rows."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=15, choices=EpicState.choices, blank=True)
    to_state = models.CharField(max_length=15, choices=EpicState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["epic_id", "at", "id"]
        indexes = [models.Index(fields=["epic", "at"], name="transition_epic_at_idx")]

    def __str__(self) -> str:
        return f"{self.epic_id}: {self.from_state} -> {self.to_state}"


class EntryCheck(models.TextChoices):
    """The entry-policy checks a director may switch off per column (DESIGN.md section 3 lists
    them). The director's go decision above the approval threshold, funding room and WIP limits
    are guardrails, not options: they always apply."""

    OWNER = "owner", "An epic owner"
    HYPOTHESIS = "hypothesis", "The epic hypothesis statement"
    WSJF = "wsjf", "WSJF scores"
    BUSINESS_CASE = "business_case", "A lean business case (business outcome hypothesis)"
    MVP = "mvp", "An MVP definition"
    COST_ESTIMATE = "cost_estimate", "A cost estimate"
    GO_DECISION = "go_decision", "A recorded go decision"


# Which checks guard which column; the one home of the entry-policy catalogue.
ENTRY_CHECKS = {
    EpicState.REVIEWING: (EntryCheck.OWNER, EntryCheck.HYPOTHESIS),
    EpicState.ANALYZING: (EntryCheck.WSJF,),
    EpicState.BACKLOG: (
        EntryCheck.BUSINESS_CASE,
        EntryCheck.MVP,
        EntryCheck.COST_ESTIMATE,
        EntryCheck.GO_DECISION,
    ),
}


class EntryPolicyOption(models.Model):
    """Whether one entry-policy check of one column applies. No row means it does (the default
    the design states), so only a director's departure from it is stored."""

    state = models.CharField(max_length=15, choices=EpicState.choices)
    entry_check = models.CharField(max_length=20, choices=EntryCheck.choices)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["state", "entry_check"]
        constraints = [models.UniqueConstraint(fields=["state", "entry_check"], name="entry_policy_option_unique")]

    def __str__(self) -> str:
        return f"{self.state}: {self.entry_check} {'required' if self.required else 'off'}"
