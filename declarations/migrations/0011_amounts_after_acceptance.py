"""From acceptance on, a declaration carries all its amounts.

Added NOT VALID: PostgreSQL enforces it on every row written from now on (a
service, the manifest pipeline's COPY) without failing on declarations that an
earlier version accepted unpriced; those are listed by

    SELECT id, mrn, status FROM declarations_declaration
    WHERE status NOT IN ('draft', 'submitted', 'validating', 'rejected')
      AND (customs_duty_eur IS NULL OR import_vat_eur IS NULL
           OR fees_eur IS NULL OR total_due_eur IS NULL);

and can be invalidated and filed again; then
`ALTER TABLE declarations_declaration VALIDATE CONSTRAINT
declaration_amounts_after_acceptance` makes it hold for all rows.
"""

from django.db import migrations, models

CONSTRAINT = models.CheckConstraint(
    condition=models.Q(("status__in", ["draft", "submitted", "validating", "rejected"]))
    | models.Q(
        customs_duty_eur__isnull=False,
        import_vat_eur__isnull=False,
        fees_eur__isnull=False,
        total_due_eur__isnull=False,
    ),
    name="declaration_amounts_after_acceptance",
)

ADD = """
ALTER TABLE declarations_declaration
ADD CONSTRAINT declaration_amounts_after_acceptance CHECK (
    status IN ('draft', 'submitted', 'validating', 'rejected')
    OR (customs_duty_eur IS NOT NULL AND import_vat_eur IS NOT NULL
        AND fees_eur IS NOT NULL AND total_due_eur IS NOT NULL)
) NOT VALID
"""
DROP = (
    "ALTER TABLE declarations_declaration "
    "DROP CONSTRAINT declaration_amounts_after_acceptance"
)


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0010_manifest_issues_never_tip_off"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddConstraint(model_name="declaration", constraint=CONSTRAINT)
            ],
        ),
    ]
