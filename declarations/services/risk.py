"""Risk reference data: typical unit values for the undervaluation rule."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from declarations.models import Status, UnitValueReference

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "typical_unit_values.csv"


@transaction.atomic
def unit_values_seed(*, path: Path = SEED_FILE) -> int:
    """Add the seeded typical values that are missing; never overwrite history."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            UnitValueReference(
                hs_code=row["hs_code"],
                unit_value_eur=Decimal(row["unit_value_eur"]),
                source=UnitValueReference.Source.SEEDED,
            )
            for row in csv.DictReader(handle)
        ]
    created = UnitValueReference.objects.bulk_create(rows, ignore_conflicts=True)
    return len([r for r in created if r.pk])


_MEDIANS_SQL = """
SELECT left(i.hs_code, 6),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY i.item_value / i.quantity / d.exchange_rate),
       count(*)
FROM declarations_goodsitem i
JOIN declarations_declaration d ON d.id = i.declaration_id
WHERE d.status = ANY(%s) AND d.exchange_rate IS NOT NULL AND i.item_value > 0
  AND d.submitted_at > now() - interval '180 days'
GROUP BY 1
HAVING count(*) >= %s
"""


@transaction.atomic
def unit_values_refresh(*, min_samples: int = 30) -> int:
    """Replace seeded values by the median unit value of accepted declarations of
    the last 180 days, for subheadings with at least `min_samples` items."""
    with connection.cursor() as cursor:
        cursor.execute(_MEDIANS_SQL, [[Status.ACCEPTED, Status.RELEASED], min_samples])
        medians = cursor.fetchall()
    rows = [
        UnitValueReference(
            hs_code=code,
            unit_value_eur=Decimal(str(median)).quantize(Decimal("0.01")),
            sample_size=count,
            source=UnitValueReference.Source.HISTORY,
        )
        for code, median, count in medians
        if median and median > 0
    ]
    UnitValueReference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["hs_code"],
        update_fields=["unit_value_eur", "sample_size", "source", "updated_at"],
    )
    return len(rows)
