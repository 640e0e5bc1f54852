"""Who may do what in the office (DESIGN.md section 6), for pages and API alike.

Directors and program managers run planning events; directors, program managers and
executives keep the VMO backlog (create and change action items); whoever owns an action item
may move its status. Everyone logged in reads.
"""

from portfolio import roles
from portfolio.permissions import has_role, is_director


def can_keep_vmo_backlog(user) -> bool:
    return is_director(user) or has_role(user, roles.PROGRAM_MANAGER) or has_role(user, roles.EXECUTIVE)


def can_run_planning(user) -> bool:
    return is_director(user) or has_role(user, roles.PROGRAM_MANAGER)


def can_change_action_item(user, item) -> bool:
    if not user.is_authenticated:
        return False
    return can_keep_vmo_backlog(user) or (item.owner_id is not None and item.owner_id == user.id)
