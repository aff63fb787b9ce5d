"""Manifest issue lists written before: a parcel with a screening hit shows the
neutral finding in place of its risk findings, as new manifests do."""

from django.db import migrations

# The risk rules' codes when this was written (declarations.disclosure hides
# every risk finding of a declaration with a hit).
RISK_CODES = [
    "RISK-SANCTIONS", "RISK-UNDERVALUE", "RISK-SPLIT", "DG-BATTERY", "EX-EMBARGO",
    "EX-DUAL-USE", "DQ-ZERO-VALUE",
]  # fmt: skip
NEUTRAL = (
    "Held for a customs check. An officer will contact you if anything is needed."
)

SQL = """
WITH hit AS (
    SELECT manifest_id, hawb, min(row) AS row
    FROM shipments_manifestissue
    WHERE code = 'RISK-SANCTIONS'
    GROUP BY manifest_id, hawb
), gone AS (
    DELETE FROM shipments_manifestissue i
    USING hit
    WHERE i.manifest_id = hit.manifest_id AND i.hawb = hit.hawb
      AND i.code = ANY(%s)
)
INSERT INTO shipments_manifestissue (manifest_id, row, hawb, code, severity, field,
                                     message)
SELECT manifest_id, row, hawb, 'CUSTOMS-CHECK', 'warning', '', %s FROM hit
"""


def neutralise(apps, schema_editor):
    schema_editor.execute(SQL, [RISK_CODES, NEUTRAL])


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0009_screening_entries_clearances_rescreens"),
        ("shipments", "0004_consignment_superseded"),
    ]

    operations = [migrations.RunPython(neutralise, migrations.RunPython.noop)]
