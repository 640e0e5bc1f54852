"""Create the four role groups of DESIGN.md section 6 with their model permissions.

Model permissions let each role use the admin for what it may change; the finer rule (a value
stream manager changes only the streams they manage) is enforced by portfolio.permissions.
Nothing financial gets a delete permission: financial rows are never hard-deleted.
"""

from django.db import migrations



def create_roles(apps, schema_editor):
    # The definition lives in vmo.roles so seed_demo and the tests can restore it after a flush.
    from vmo.roles import role_groups_ensure

    role_groups_ensure(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["VMO Director", "Value Stream Manager", "Executive", "Program Manager"]
    ).delete()


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
