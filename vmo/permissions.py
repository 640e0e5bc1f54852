"""Who may do what in the office (DESIGN.md section 6), for pages and API alike.

Directors and program managers run planning events; directors, program managers and
executives keep the VMO backlog (create and change action items); whoever owns an action item
may move its status. Everyone logged in reads.
"""

from portfolio import roles
from portfolio.permissions import (
    can_manage_value_stream,
    can_record_risks_and_dependencies,
    has_role,
    is_director,
)


def can_keep_vmo_backlog(user) -> bool:
    return is_director(user) or has_role(user, roles.PROGRAM_MANAGER) or has_role(user, roles.EXECUTIVE)


def can_run_planning(user) -> bool:
    return is_director(user) or has_role(user, roles.PROGRAM_MANAGER)


def can_change_action_item(user, item) -> bool:
    if not user.is_authenticated:
        return False
    return can_keep_vmo_backlog(user) or (item.owner_id is not None and item.owner_id == user.id)


# Issue 20: people in their roles, obstacles, feedback, release trains.


def can_run_events(user) -> bool:
    """Program managers and directors run events (the VMO sync among them)."""
    return can_run_planning(user)


def can_keep_executive_action_team(user) -> bool:
    """Executives own the executive action team (its members, charter and obstacles); the
    director who runs the office may set it up with them."""
    return is_director(user) or has_role(user, roles.EXECUTIVE)


def can_raise_impediment(user) -> bool:
    """Everyone logged in may raise an impediment."""
    return user.is_authenticated and user.is_active


def can_change_impediment(user, impediment) -> bool:
    """Who raised it, its owner, and those who run events; once escalated, the executives too."""
    if not user.is_authenticated:
        return False
    if can_run_events(user) or user.id in (impediment.raised_by_id, impediment.owner_id):
        return True
    return impediment.escalated_to_id is not None and can_keep_executive_action_team(user)


def can_escalate_impediment(user) -> bool:
    """Escalation is a VMO sync decision: those who run events make it."""
    return can_run_events(user)


def can_record_feedback(user, value_stream_id: int | None) -> bool:
    """Customer feedback: the epic's stream managers, directors and program managers."""
    return can_record_risks_and_dependencies(user, value_stream_id)


def can_assign_stream_roles(user, value_stream_id: int | None) -> bool:
    """Roles and trains belong to a stream's team setup, changed by whoever changes its teams."""
    return can_manage_value_stream(user, value_stream_id)
