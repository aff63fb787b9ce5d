"""Officers of an existing deployment become the operator who verifies traders'
EORIs (and reads the accounts audit log); `customs_officer_group_ensure` grants
the same on new ones."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WANTED = ("view_organisation", "verify_organisation", "view_auditentry")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Customs officers").first()
    if group is None:  # a new database: seed_demo or the group's owner makes it
        return
    # Permissions are made after `migrate`; this one needs them now.
    accounts = apps.get_app_config("accounts")
    accounts.models_module = True
    create_permissions(accounts, apps=apps, verbosity=0)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=WANTED
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("accounts", "0007_organisation_verification_and_audit"),
        ("declarations", "0012_goods_item_manufacturer_product_id"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
