"""Who may change what (DESIGN.md section 6), shared by pages and API.

Everyone logged in reads. Directors change money and approve go decisions. A value stream
manager changes epics, MMPs, key results and delivery data only of the value streams they
manage. The office's own rules (backlog, planning) are `vmo.permissions`.
"""

from django.contrib.auth.models import AnonymousUser, User

from portfolio import roles
from portfolio.models import ValueStream


def has_role(user: User | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object for the request: pages ask several times.
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_cache = cache
    return role in cache


def is_director(user) -> bool:
    return has_role(user, roles.DIRECTOR)


def is_value_stream_manager(user) -> bool:
    return has_role(user, roles.VALUE_STREAM_MANAGER)


def managed_value_stream_ids(user) -> set[int]:
    """Ids of the value streams `user` manages (cached on the user for the request)."""
    if not user.is_authenticated:
        return set()
    cache = getattr(user, "_managed_stream_cache", None)
    if cache is None:
        cache = set(ValueStream.objects.managed_by(user).values_list("id", flat=True))
        user._managed_stream_cache = cache
    return cache


def can_manage_value_stream(user, value_stream_id: int | None) -> bool:
    """May `user` change the epics, MMPs, KRs, teams, spend and delivery data of this stream?"""
    if value_stream_id is None or not user.is_authenticated:
        return False
    if is_director(user):
        return True
    return is_value_stream_manager(user) and value_stream_id in managed_value_stream_ids(user)


def can_record_risks_and_dependencies(user, value_stream_id: int | None) -> bool:
    """Risks (ROAM) and dependencies: the stream's managers and directors, and program managers
    for every stream, as the roles say (they record planning outputs, dependencies and risks)."""
    if value_stream_id is None or not user.is_authenticated:
        return False
    return can_manage_value_stream(user, value_stream_id) or has_role(user, roles.PROGRAM_MANAGER)


def can_manage_funding(user) -> bool:
    """Budgets, allocations, guardrails and scenarios are the directors' alone."""
    return is_director(user)
