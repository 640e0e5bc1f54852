"""The funding side of the Kanban's entry policies, behind one interface.

`kanban` and `funding` are siblings (DESIGN.md section 2): neither imports the other. The move
service asks the policy named by `settings.KANBAN_FUNDING_POLICY` two questions: what is the
approval threshold above which entering the portfolio backlog needs a director's go decision,
and does the epic's value stream have funding room for it to enter implementing. The funding
app provides the real policy; without it every move is allowed.
"""

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class FundingCheck:
    allowed: bool
    message: str = ""


class FundingPolicy(Protocol):
    def approval_threshold_cents(self, *, epic) -> int | None:
        """Epics whose estimated cost is above this need a director's go decision (None: no threshold)."""

    def funding_room(self, *, epic) -> FundingCheck:
        """May `epic` enter implementing given its value stream's allocation and what is already implementing?"""

    def record_override(self, *, epic, user, reason: str) -> None:
        """Record a director's decision to let `epic` into implementing without funding room."""


class AllowAllFundingPolicy:
    """No funding rules: used until the funding app's policy is configured."""

    def approval_threshold_cents(self, *, epic) -> int | None:
        return None

    def funding_room(self, *, epic) -> FundingCheck:
        return FundingCheck(allowed=True)

    def record_override(self, *, epic, user, reason: str) -> None:
        return None


@cache
def funding_policy() -> FundingPolicy:
    return import_string(getattr(settings, "KANBAN_FUNDING_POLICY", "kanban.policies.AllowAllFundingPolicy"))()
