"""Users and their roles, managed by directors on /settings/users/ and /api/users/.

Roles are the four groups of `vmo.roles`. The service is the permission gate and writes a
`SettingChange` audit row (roles and active flag, old and new) in the same transaction.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from portfolio import roles as role_names
from portfolio.services.settings import audit_record, fields_of, settings_gate

USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


def _user_state(user) -> dict:
    state = fields_of(user, USER_FIELDS)
    state["roles"] = (
        set(user.groups.filter(name__in=role_names.ALL_ROLES).values_list("name", flat=True)) if user.pk else set()
    )
    return state


@transaction.atomic
def user_save(*, user, target=None, roles: list[str] | None = None, **fields):
    """Create a user (no `target`) or change one: names, e-mail, roles, active.

    A new user gets no usable password: they sign in through single sign-on, or a director
    sets one in the admin. A director cannot take away their own director role nor deactivate
    themselves, so the installation always keeps the director who made the change. Groups that
    are not roles (if any) are left as they are.
    """
    settings_gate(user)
    wanted = set(roles or ())
    unknown = wanted - set(role_names.ALL_ROLES)
    if unknown:
        raise ValidationError({"roles": f"Unknown roles: {', '.join(sorted(unknown))}."})
    User = get_user_model()
    action = "create" if target is None else "update"
    if target is None:
        target = User(**fields)
        target.set_unusable_password()
        before = {}
    else:
        target = User.objects.select_for_update().get(pk=target.pk)
        before = _user_state(target)
        for name, value in fields.items():
            setattr(target, name, value)
    if target.pk == user.pk:
        if roles is not None and role_names.DIRECTOR not in wanted and not user.is_superuser:
            raise ValidationError({"roles": "You cannot take away your own director role."})
        if not target.is_active:
            raise ValidationError({"is_active": "You cannot deactivate yourself."})
    target.full_clean(exclude=["password"])
    target.save()
    if roles is not None:
        current = set(target.groups.filter(name__in=role_names.ALL_ROLES).values_list("name", flat=True))
        target.groups.remove(*Group.objects.filter(name__in=current - wanted))
        target.groups.add(*Group.objects.filter(name__in=wanted - current))
        # The role cache of the changed user object (portfolio.permissions) is stale now.
        target.__dict__.pop("_role_cache", None)
    audit_record(user=user, kind="user", obj=target, action=action, before=before, after=_user_state(target))
    return target


@transaction.atomic
def user_roles_from_sso(*, target, roles: set[str]):
    """Set a user's roles to exactly those their identity provider's claim gives, at each login.

    Single sign-on is the source of truth for roles while it is on: a role added on the users
    page is taken away at the user's next login if the claim does not carry it, and a user
    whose claim lost a group loses the role. The change is audited like one made on the users
    page, by the user who logged in. Groups that are not roles are left as they are.
    """
    unknown = set(roles) - set(role_names.ALL_ROLES)
    if unknown:
        raise ValidationError({"roles": f"Unknown roles: {', '.join(sorted(unknown))}."})
    target = get_user_model().objects.select_for_update().get(pk=target.pk)
    before = _user_state(target)
    current = before["roles"]
    target.groups.remove(*Group.objects.filter(name__in=current - set(roles)))
    target.groups.add(*Group.objects.filter(name__in=set(roles) - current))
    target.__dict__.pop("_role_cache", None)
    audit_record(user=target, kind="user", obj=target, action="update", before=before, after=_user_state(target))
    return target
