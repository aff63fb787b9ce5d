"""Print one new API key for an organisation, alone on stdout."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from accounts.services import api_key_issue


class Command(BaseCommand):
    help = "Issue an API key for ORG_SLUG and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("--name", default="Issued from the command line")

    def handle(self, *args, org_slug: str, name: str, **options) -> None:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True))
            raise CommandError(
                f"No organisation with slug '{org_slug}'. Known: {known or 'none'}."
            )
        issued = api_key_issue(organisation=organisation, name=name)
        self.stdout.write(issued.raw_key)
