"""Print one new API key for an organisation, alone on stdout.

A key made here belongs to no member (the operator issued it): removing members
never revokes it, and the settings page shows it as issued by the operator.
"""

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
        if not organisation.is_customs and not organisation.is_verified:
            # stderr: stdout carries the key alone, for scripts.
            self.stderr.write(
                f"Warning: {org_slug} is not verified yet; the API refuses this "
                "key (403) until its e-mail is confirmed and its EORI verified."
            )
        self.stdout.write(issued.raw_key)
