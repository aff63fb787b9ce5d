"""Flag the organisations whose EORI fails today's check (and unflag corrected ones)."""

from django.core.management.base import BaseCommand

from accounts.services import organisations_eori_recheck


class Command(BaseCommand):
    help = (
        "Recheck every organisation's EORI: flag those that fail (they cannot file "
        "until an operator corrects the number), unflag corrected ones. Nothing "
        "is deleted."
    )

    def handle(self, *args, **options) -> None:
        flagged, changed = organisations_eori_recheck()
        self.stdout.write(f"{flagged} organisation(s) flagged; {changed} changed.")
