"""Listed entries keep their addresses and a digest of what they say."""

from collections import defaultdict

from django.db import migrations, models

from reference.sanctions import entry_digest


def fill_digests(apps, schema_editor):
    """Entries imported before: their digest from what is stored."""
    entry_model = apps.get_model("reference", "SanctionsEntry")
    alias_model = apps.get_model("reference", "SanctionsAlias")
    aliases = defaultdict(list)
    for entry_id, name in alias_model.objects.values_list("entry_id", "name"):
        aliases[entry_id].append(name)
    batch = []
    for entry in entry_model.objects.only(
        "pk", "kind", "name", "addresses", "programmes", "remarks"
    ).iterator(chunk_size=5000):
        entry.digest = entry_digest(
            kind=entry.kind,
            name=entry.name,
            aliases=aliases[entry.pk],
            addresses=entry.addresses,
            programmes=entry.programmes,
            remarks=entry.remarks,
        )
        batch.append(entry)
        if len(batch) == 5000:
            entry_model.objects.bulk_update(batch, ["digest"])
            batch = []
    entry_model.objects.bulk_update(batch, ["digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0005_drop_comtrade_chapter_99"),
    ]

    operations = [
        migrations.AddField(
            model_name="sanctionsentry",
            name="addresses",
            field=models.TextField(
                blank=True,
                help_text="One address a line, as listed.",
                verbose_name="addresses",
            ),
        ),
        migrations.AddField(
            model_name="sanctionsentry",
            name="digest",
            field=models.CharField(
                blank=True,
                help_text="SHA-256 of what the entry says (names, aliases, addresses, "
                "programmes, remarks): the same in two imports when the entry did "
                "not change, so an officer's clearance can tell when it must be "
                "reviewed.",
                max_length=64,
                verbose_name="content digest",
            ),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
