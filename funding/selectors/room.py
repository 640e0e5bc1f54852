"""What the Kanban asks funding before an epic enters implementing: the quarter that funds the
epic, and whether that quarter's allocation to its value stream has room for it.

`kanban` sits above `funding` (DESIGN.md section 2) and calls these directly.
"""

from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import Coalesce

from funding.models import Allocation
from portfolio.models import Epic, EpicState, Quarter
from portfolio.money import format_amount
from portfolio.selectors.base import quarter_current


@dataclass(frozen=True)
class FundingCheck:
    """The answer to "may this epic enter implementing?"; `message` says why not."""

    allowed: bool
    message: str = ""


def funding_quarter(*, epic: Epic) -> Quarter | None:
    """The quarter that funds `epic`: its target quarter, else the current quarter.

    The same rule as `Epic.objects.funded_in(quarter)`, read from the epic's side.
    """
    if epic.target_quarter_id is not None:
        return epic.target_quarter
    return quarter_current()


def funding_room(*, epic: Epic) -> FundingCheck:
    """Room = the stream's allocation for the quarter - estimates of its epics already implementing.

    An epic already implementing counts once (itself excluded). An epic without a cost
    estimate has no funding room to check against, so it is refused with that message.
    """
    quarter = funding_quarter(epic=epic)
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
    committed = (
        Epic.objects.funded_in(quarter, current=quarter_current())
        .filter(value_stream_id=epic.value_stream_id, state=EpicState.IMPLEMENTING)
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
