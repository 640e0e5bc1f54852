"""Who may do what in the office (DESIGN.md section 6), for pages and API alike.

Directors and program managers run planning events; directors, program managers and
executives keep the VMO backlog (create and change action items); whoever owns an action item
may move its status. Everyone logged in reads.
"""

from portfolio.permissions import can_keep_vmo_backlog, can_run_planning

__all__ = ["can_change_action_item", "can_keep_vmo_backlog", "can_run_planning"]


def can_change_action_item(user, item) -> bool:
    if not user.is_authenticated:
        return False
    return can_keep_vmo_backlog(user) or (item.owner_id is not None and item.owner_id == user.id)
