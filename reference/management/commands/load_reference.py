"""Load or refresh the HS nomenclature, countries and currencies."""

from django.core.management.base import BaseCommand

from reference.services import reference_load_all


class Command(BaseCommand):
    help = (
        "Load the HS 2022 nomenclature, ISO countries (plus XI) and ISO "
        "currencies. Safe to run again: unchanged rows are not written."
    )

    def handle(self, *args: object, **options: object) -> None:
        written = reference_load_all()
        for table, count in written.items():
            self.stdout.write(f"{table}: {count} rows created or updated")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
