"""Remove UN Comtrade's chapter 99 ("commodities not specified"): it is not HS."""

from django.db import migrations


def drop_chapter_99(apps, schema_editor):
    HsCode = apps.get_model("reference", "HsCode")
    HsCode.objects.filter(edition="HS2022", code__startswith="99").delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0004_ecb_rates")]

    operations = [migrations.RunPython(drop_chapter_99, migrations.RunPython.noop)]
