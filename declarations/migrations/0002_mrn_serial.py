"""The sequence MRN serials are drawn from: unique across processes and workers."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS declarations_mrn_serial START 1",
            "DROP SEQUENCE IF EXISTS declarations_mrn_serial",
        )
    ]
