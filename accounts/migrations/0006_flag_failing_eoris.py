"""Flag existing organisations whose EORI fails the new check (not issued by an
EU member state, bad Belgian check digits, malformed XI). Nothing is deleted;
the operator sees them in the admin (filter "EORI fails the check")."""

from django.db import migrations

from accounts.eori import eori_fails


def flag(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    failing = [o.pk for o in Organisation.objects.exclude(eori="") if eori_fails(o.eori)]
    Organisation.objects.filter(pk__in=failing).update(eori_flagged=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_organisation_eori_flagged")]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
