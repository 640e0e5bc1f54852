"""The funding side of the Kanban's entry policies (the interface is `kanban.policies.FundingPolicy`).

Which quarter an epic is funded from: its target quarter, else the current quarter.
"""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from funding.models import Allocation, Guardrail
from kanban.policies import FundingCheck
from portfolio.models import Epic, EpicState
from portfolio.money import format_amount
from portfolio.selectors.base import quarter_current


def _quarter_of(epic):
    if epic.target_quarter_id is not None:
        return epic.target_quarter
    return quarter_current()


class GuardrailFundingPolicy:
    """Approval threshold from the quarter budget's guardrail; funding room from the allocation."""

    def approval_threshold_cents(self, *, epic) -> int | None:
        quarter = _quarter_of(epic)
        if quarter is None:
            return None
        return (
            Guardrail.objects.filter(budget__quarter=quarter).values_list("approval_threshold_cents", flat=True).first()
        )

    def funding_room(self, *, epic) -> FundingCheck:
        """Room = the stream's allocation for the quarter - estimates of its epics already implementing.

        An epic already implementing counts once (itself excluded). An epic without a cost
        estimate has no funding room to check against, so it is refused with that message.
        """
        quarter = _quarter_of(epic)
        if quarter is None:
            return FundingCheck(allowed=False, message="There is no planning quarter to fund this epic from.")
        if epic.estimated_cost_cents is None:
            return FundingCheck(allowed=False, message=f"{epic.key} has no cost estimate; add one under Funding.")
        allocated = (
            Allocation.objects.filter(budget__quarter=quarter, value_stream_id=epic.value_stream_id)
            .values_list("amount_cents", flat=True)
            .first()
            or 0
        )
        same_quarter = Epic.objects.filter(target_quarter=quarter)
        if quarter == quarter_current():
            same_quarter = same_quarter | Epic.objects.filter(target_quarter__isnull=True)
        committed = (
            same_quarter.filter(value_stream_id=epic.value_stream_id, state=EpicState.IMPLEMENTING)
            .exclude(pk=epic.pk)
            .aggregate(total=Coalesce(Sum("estimated_cost_cents"), 0))["total"]
        )
        room = allocated - committed
        if epic.estimated_cost_cents <= room:
            return FundingCheck(allowed=True)
        return FundingCheck(
            allowed=False,
            message=(
                f"Not enough funding room in {quarter.code}: {epic.key} is estimated at "
                f"{format_amount(epic.estimated_cost_cents)} but only {format_amount(max(room, 0))} of the "
                f"value stream's allocation of {format_amount(allocated)} is not yet committed to implementing epics."
            ),
        )

    def record_override(self, *, epic, user, reason: str) -> None:
        from funding.services import funding_override_record

        quarter = _quarter_of(epic)
        funding_override_record(user=user, epic=epic, quarter=quarter, reason=reason)
