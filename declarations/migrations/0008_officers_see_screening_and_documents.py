"""Officers of an existing deployment get the view permissions the workbench
page needs (screening matches, documents); `customs_officer_group_ensure`
grants them on new ones."""

from django.db import migrations

WANTED = ("view_screeningmatch", "view_document")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Customs officers").first()
    if group is None:  # a new database: seed_demo or the group's owner makes it
        return
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="declarations", codename__in=WANTED
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("declarations", "0007_officer_workbench"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
