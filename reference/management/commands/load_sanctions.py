"""Import sanctions lists: the shipped OFAC SDN file, or given OFAC / EU files."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reference.models import SanctionsList
from reference.sanctions import (
    SHIPPED_OFAC_CSV,
    SHIPPED_OFAC_PUBLISHED_ON,
    SanctionsImportError,
    sanctions_import_eu_xml,
    sanctions_import_ofac_csv,
)
from reference.selectors import sanctions_lists_freshness


class Command(BaseCommand):
    help = (
        "Import the OFAC SDN CSV (--ofac, default: the shipped file) and/or the "
        "EU consolidated FSF XML (--eu) as the active list of its source. Safe "
        "to run again: the same file is not stored twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ofac", type=Path, help="OFAC SDN CSV (sdn.csv)")
        parser.add_argument(
            "--ofac-published-on",
            type=date.fromisoformat,
            help="publication date of --ofac, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--eu", type=Path, help="EU FSF XML, version 1.1")

    def handle(self, *args: object, **options: object) -> None:
        imported: list[SanctionsList] = []
        try:
            if options["ofac"] or not options["eu"]:
                path = options["ofac"] or SHIPPED_OFAC_CSV
                published_on = options["ofac_published_on"] or (
                    SHIPPED_OFAC_PUBLISHED_ON
                    if path == SHIPPED_OFAC_CSV
                    else timezone.localdate()
                )
                imported.append(
                    sanctions_import_ofac_csv(path=path, published_on=published_on)
                )
            if options["eu"]:
                imported.append(sanctions_import_eu_xml(path=options["eu"]))
        except SanctionsImportError as exc:
            raise CommandError(str(exc)) from exc
        for sanctions_list in imported:
            self.stdout.write(
                f"{sanctions_list}: {sanctions_list.entry_count} entries, active"
            )
        freshness = sanctions_lists_freshness(
            today=timezone.localdate(), max_age_days=settings.SANCTIONS_MAX_AGE_DAYS
        )
        self.stdout.write("; ".join(str(f) for f in freshness) + ".")
        for stale in (f for f in freshness if f.stale):
            self.stderr.write(self.style.WARNING(f"Stale or missing: {stale}."))
        self.stdout.write(
            self.style.SUCCESS(
                "Sanctions lists loaded. Unreleased declarations are screened "
                "again by the beat (celery -A portal beat) within 10 minutes."
            )
        )
