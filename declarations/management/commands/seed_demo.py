"""Load reference data when missing, then demo organisations, logins and filings.

Idempotent: every object is looked up by its natural key first, so a second run
changes nothing.
"""

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organisation
from accounts.services import membership_create, organisation_create
from declarations.api.serializers import EXAMPLE
from declarations.models import Declaration
from declarations.services import (
    customs_officer_group_ensure,
    declaration_create,
    declaration_validate,
)
from declarations.services.risk import unit_values_seed
from reference.charges import charges_load
from reference.sanctions import sanctions_load_shipped
from reference.selectors import reference_is_loaded
from reference.services import reference_load_all

ORGANISATIONS = [
    # slug, name, kind, EORI (valid Belgian enterprise numbers)
    ("demo-shipper", "Demo Shipper BV", "shipper", "BE0403170701"),
    ("demo-forwarder", "Demo Forwarder NV", "forwarder", "BE0202239951"),
    ("demo-broker", "Demo Customs Broker SA", "broker", "BE0417497106"),
    ("belgian-customs", "Belgian Customs – Liège Airport", "customs", ""),
]
LOGINS = [
    # org slug, e-mail, password, role, name
    (
        "demo-shipper",
        "shipper@demo.example",
        "demo-shipper-pass",
        "admin",
        "Sofie Shipper",
    ),
    (
        "demo-forwarder",
        "forwarder@demo.example",
        "demo-forwarder-pass",
        "admin",
        "Frank Forwarder",
    ),
    ("demo-broker", "broker@demo.example", "demo-broker-pass", "admin", "Bruno Broker"),
    (
        "belgian-customs",
        "officer@customs.example",
        "demo-officer-pass",
        "member",
        "Olivia Officer",
    ),
    (
        "belgian-customs",
        "officer2@customs.example",
        "demo-officer2-pass",
        "member",
        "Oscar Officer",
    ),
]


def demo_declaration(
    *, hawb: str, lrn: str, value: str, hs_code: str, description: str
) -> dict:
    """The API's example H7, arrived yesterday, with one item of the given goods."""
    item = EXAMPLE["items"][0] | {
        "description": description,
        "hs_code": hs_code,
        "quantity": 1,
        "item_value": value,
        "product_id": f"DEMO-{hs_code}",
    }
    return EXAMPLE | {
        "lrn": lrn,
        "hawb": hawb,
        "arrival_date": timezone.localdate() - timedelta(days=1),
        "items": [item],
    }


DEMO_FILINGS = [
    demo_declaration(
        hawb="CN000000001BE",
        lrn="DEMO-0001",
        value="18.00",
        hs_code="610910",
        description="Cotton T-shirt for men",
    ),
    demo_declaration(
        hawb="CN000000002BE",
        lrn="DEMO-0002",
        value="240.00",
        hs_code="851830",
        description="Wireless earphones with charging case",
    ),
]


class Command(BaseCommand):
    help = "Create the demo organisations, logins and a few declarations (idempotent)."

    def handle(self, *args, **options) -> None:
        if not reference_is_loaded():
            counts = reference_load_all()
            self.stdout.write(f"Loaded reference data: {counts}")
        if charges_load():
            self.stdout.write("Loaded the duty, VAT and fee lines.")
        if sanctions_load_shipped():
            self.stdout.write("Loaded the shipped OFAC SDN list.")
        unit_values_seed()
        with transaction.atomic():
            group = customs_officer_group_ensure()
            organisations = {
                slug: self._organisation(slug, name, kind, eori)
                for slug, name, kind, eori in ORGANISATIONS
            }
            for slug, email, password, role, name in LOGINS:
                self._login(organisations[slug], email, password, role, name, group)
            self._admin()
        shipper = organisations["demo-shipper"]
        user = get_user_model().objects.get(username="shipper@demo.example")
        for filing in DEMO_FILINGS:
            if not Declaration.objects.filter(
                organisation=shipper, lrn=filing["lrn"]
            ).exists():
                declaration = declaration_create(
                    organisation=shipper, by=user, data=filing
                )
                declaration_validate(declaration_id=declaration.pk)
        port = os.environ.get("PORT") or "8000"  # make dev's, when it runs us
        self.stdout.write(f"\nDemo logins (http://127.0.0.1:{port}/):")
        for slug, email, password, _, _ in LOGINS:
            where = "/admin/" if slug == "belgian-customs" else "/"
            self.stdout.write(f"  {slug:<16} {email:<26} {password:<20} {where}")
        admin_login = ("superuser", "admin@portal.example", "demo-admin-pass")
        self.stdout.write("  {:<16} {:<26} {:<20} /admin/".format(*admin_login))
        self.stdout.write(
            "API key for a broker: make manage ARGS=\"issue_api_key demo-broker\""
        )

    def _organisation(self, slug: str, name: str, kind: str, eori: str) -> Organisation:
        existing = Organisation.objects.filter(slug=slug).first()
        return existing or organisation_create(
            name=name, kind=kind, eori=eori, slug=slug
        )

    def _login(self, organisation, email, password, role, name, group) -> None:
        User = get_user_model()
        if User.objects.filter(username=email).exists():
            return
        first, last = name.split(" ", 1)
        membership: Membership = membership_create(
            organisation=organisation,
            email=email,
            password=password,
            role=role,
            first_name=first,
            last_name=last,
        )
        if organisation.is_customs:
            membership.user.groups.add(group)

    def _admin(self) -> None:
        User = get_user_model()
        if not User.objects.filter(username="admin@portal.example").exists():
            User.objects.create_superuser(
                "admin@portal.example", "admin@portal.example", "demo-admin-pass"
            )
