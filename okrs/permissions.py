"""Who may change which objectives and key results (DESIGN.md section 6), for pages and API.

Portfolio-level objectives (and their KRs) are the VMO directors'. A value stream's objectives
and KRs belong to the managers of that stream (and directors); a VSM may not touch another
stream's. Everyone logged in reads.
"""

from okrs.models import KeyResult, Objective, ObjectiveLevel
from portfolio.permissions import can_manage_value_stream, is_director


def can_manage_objective_scope(user, *, level: str, value_stream_id: int | None) -> bool:
    """May `user` create or change objectives (and their KRs) at this level / value stream?"""
    if not user.is_authenticated:
        return False
    if level == ObjectiveLevel.PORTFOLIO:
        return is_director(user)
    return can_manage_value_stream(user, value_stream_id)


def can_manage_objective(user, objective: Objective) -> bool:
    return can_manage_objective_scope(user, level=objective.level, value_stream_id=objective.value_stream_id)


def can_check_in(user, key_result: KeyResult) -> bool:
    """Check-ins (and KR edits) follow the objective's owner scope."""
    return can_manage_objective(user, key_result.objective)
