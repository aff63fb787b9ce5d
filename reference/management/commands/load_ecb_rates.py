"""Load ECB euro reference rates from a file or an http(s) URL."""

from pathlib import Path
from urllib.error import URLError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reference.ecb import EcbFileError, ecb_rates_fetch, ecb_rates_load


class Command(BaseCommand):
    help = (
        "Load the ECB's euro reference rates from a file or URL: the daily or "
        "history XML, the history CSV or its zip (eurofxref-hist.zip). Safe to "
        "run again: rates already stored are not written again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="file path or http(s) URL")

    def handle(self, *args: object, **options: object) -> None:
        location = str(options["location"])
        try:
            if location.startswith(("http://", "https://")):
                written = ecb_rates_fetch(url=location)
            else:
                path = Path(location)
                if not path.is_file():
                    raise CommandError(f"No such file: {location}")
                written = ecb_rates_load(path=path, source=f"file {path.name}")
        except (EcbFileError, URLError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"ECB rates: {written} rows written."))
