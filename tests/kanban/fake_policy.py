"""A small funding policy for tests, so the Kanban's rules are tested without the funding app."""

from kanban.policies import FundingCheck


class FakeFundingPolicy:
    threshold_cents: int | None = 1_000_000_00
    room: bool = False
    overrides: list = []

    def approval_threshold_cents(self, *, epic):
        return self.threshold_cents

    def funding_room(self, *, epic):
        if self.room:
            return FundingCheck(allowed=True)
        return FundingCheck(allowed=False, message="Payments has no funding room left in 2026-Q3.")

    def record_override(self, *, epic, user, reason):
        FakeFundingPolicy.overrides.append((epic.id, user.id, reason))
