"""Create the four role groups of DESIGN.md section 6 with their model permissions.

Model permissions let each role use the admin for what it may change; the finer rule (a value
stream manager changes only the streams they manage) is enforced by portfolio.permissions.
Nothing financial gets a delete permission: financial rows are never hard-deleted.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DIRECTOR = "VMO Director"
VALUE_STREAM_MANAGER = "Value Stream Manager"
EXECUTIVE = "Executive"
PROGRAM_MANAGER = "Program Manager"

OUR_APPS = ("portfolio", "funding", "okrs", "kanban", "vmo")

# role -> {app_label: {model: actions}}; every role also views every model of our apps.
WRITES = {
    DIRECTOR: {
        "portfolio": {
            "valuestream": "add change", "quarter": "add change", "strategictheme": "add change",
            "epic": "add change", "mmp": "add change", "dependency": "add change", "risk": "add change",
            "statusmapping": "add change delete", "sourcerule": "add change delete",
        },
        "funding": {
            "quarterbudget": "add change", "allocation": "add change", "guardrail": "add change",
            "budgetrevision": "add", "scenario": "add change", "scenarioline": "add change",
            "fundingoverride": "add", "team": "add change", "epicestimate": "add change", "spend": "add change",
        },
        "okrs": {"objective": "add change", "keyresult": "add change", "checkin": "add"},
        "kanban": {"wiplimit": "add change delete", "transition": "add"},
        "vmo": {
            "actionitem": "add change", "planningevent": "add change", "plannedmmp": "add change delete",
            "communicationitem": "add change delete", "agendaitem": "add change delete",
        },
    },
    VALUE_STREAM_MANAGER: {
        "portfolio": {
            "epic": "add change", "mmp": "add change", "dependency": "add change", "risk": "add change",
            "workitem": "add change", "deployment": "add change", "incident": "add change",
        },
        "funding": {"team": "add change", "epicestimate": "add change", "spend": "add change"},
        "okrs": {"objective": "add change", "keyresult": "add change", "checkin": "add"},
        "kanban": {"transition": "add"},
    },
    EXECUTIVE: {
        "vmo": {"actionitem": "add change"},
    },
    PROGRAM_MANAGER: {
        "portfolio": {"dependency": "add change", "risk": "add change"},
        "vmo": {
            "actionitem": "add change", "planningevent": "add change", "plannedmmp": "add change delete",
            "communicationitem": "add change delete", "agendaitem": "add change delete",
        },
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_perms = list(Permission.objects.filter(content_type__app_label__in=OUR_APPS, codename__startswith="view_"))
    for role, writes in WRITES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [
            (app_label, f"{action}_{model}")
            for app_label, models in writes.items()
            for model, actions in models.items()
            for action in actions.split()
        ]
        perms = list(view_perms)
        for app_label, codename in codenames:
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(WRITES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portfolio", "0001_initial"),
        ("funding", "0001_initial"),
        ("okrs", "0001_initial"),
        ("kanban", "0001_initial"),
        ("vmo", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
