"""The role groups of DESIGN.md section 6 and the model permissions each one gets.

Model permissions let each role use the admin for what it may change; the finer rule (a value
stream manager changes only the streams they manage) is enforced by portfolio.permissions.
Nothing financial gets a delete permission: financial rows are never hard-deleted.

`role_groups_ensure` is used by the data migration (with the historical app registry) and by
`seed_demo` and the tests (a transactional test flushes every table, groups included).
"""

from portfolio import roles

OUR_APPS = ("portfolio", "funding", "okrs", "kanban", "vmo")

# role -> {app_label: {model: actions}}; every role also views every model of our apps.
WRITES = {
    roles.DIRECTOR: {
        "portfolio": {
            "valuestream": "add change",
            "quarter": "add change",
            "strategictheme": "add change",
            "epic": "add change",
            "mmp": "add change",
            "dependency": "add change",
            "risk": "add change",
            "statusmapping": "add change delete",
            "sourcerule": "add change delete",
        },
        "funding": {
            "quarterbudget": "add change",
            "allocation": "add change",
            "guardrail": "add change",
            "budgetrevision": "add",
            "scenario": "add change",
            "scenarioline": "add change",
            "fundingoverride": "add",
            "team": "add change",
            "epicestimate": "add change",
            "spend": "add change",
        },
        "okrs": {"objective": "add change", "keyresult": "add change", "checkin": "add"},
        "kanban": {"wiplimit": "add change delete", "transition": "add"},
        "vmo": {
            "actionitem": "add change",
            "planningevent": "add change",
            "plannedmmp": "add change delete",
            "communicationitem": "add change delete",
            "agendaitem": "add change delete",
        },
    },
    roles.VALUE_STREAM_MANAGER: {
        "portfolio": {
            "epic": "add change",
            "mmp": "add change",
            "dependency": "add change",
            "risk": "add change",
            "workitem": "add change",
            "deployment": "add change",
            "incident": "add change",
        },
        "funding": {"team": "add change", "epicestimate": "add change", "spend": "add change"},
        "okrs": {"objective": "add change", "keyresult": "add change", "checkin": "add"},
        "kanban": {"transition": "add"},
    },
    roles.EXECUTIVE: {
        "vmo": {"actionitem": "add change"},
    },
    roles.PROGRAM_MANAGER: {
        "portfolio": {"dependency": "add change", "risk": "add change"},
        "vmo": {
            "actionitem": "add change",
            "planningevent": "add change",
            "plannedmmp": "add change delete",
            "communicationitem": "add change delete",
            "agendaitem": "add change delete",
        },
    },
}


def role_groups_ensure(apps=None) -> None:
    """Create the four groups with their permissions, or bring them back to this definition."""
    from django.contrib.auth.management import create_permissions

    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    if not Permission.objects.filter(content_type__app_label="vmo").exists():
        # Permissions are normally created after all migrations ran; make sure they exist now.
        for app_config in apps.get_app_configs():
            # The migration state's app configs have no models_module, which create_permissions
            # takes to mean "no models"; give them one for the call.
            had_models = getattr(app_config, "models_module", None)
            app_config.models_module = had_models or True
            create_permissions(app_config, verbosity=0, apps=apps)
            app_config.models_module = had_models
    view_perms = list(Permission.objects.filter(content_type__app_label__in=OUR_APPS, codename__startswith="view_"))
    for role, writes in WRITES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            (app_label, f"{action}_{model}")
            for app_label, models in writes.items()
            for model, actions in models.items()
            for action in actions.split()
        ]
        perms = list(view_perms)
        for app_label, codename in wanted:
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def role_groups_missing() -> bool:
    from django.contrib.auth.models import Group

    return Group.objects.filter(name__in=roles.ALL_ROLES).count() != len(roles.ALL_ROLES)
