"""Rules on the parties: addresses, and where the consignee is."""

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from declarations.rules.base import ConsignmentFacts, Issue, Rule

PO_BOX = re.compile(r"\b(p\.?\s?o\.?\s?box|postbus|boîte postale|bp|postfach)\b", re.I)


class ConsigneeAddressComplete(Rule):
    """The consignee's name, street and number (or PO box), city and country are
    required, and the postcode unless the country has none (Annex B UCC DA, data
    element 13 06 000, column H7)."""

    code = "PTY-CONSIGNEE-ADDRESS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        required = {
            "consignee_name": _(
                "The consignee's name is missing: give the buyer's full name."
            ),
            "consignee_city": _("The consignee's city is missing."),
            "consignee_country": _(
                "The consignee's country is missing: give its 2-letter code, e.g. BE."
            ),
        }
        for field, message in required.items():
            if not getattr(facts, field).strip():
                yield self.issue(field, message)
        address = facts.consignee_address.strip()
        if not address:
            yield self.issue(
                "consignee_address",
                _(
                    "The consignee's street and number (or PO box) are missing: copy "
                    "them from the shipping label."
                ),
            )
        elif not re.search(r"\d", address) and not PO_BOX.search(address):
            yield self.issue(
                "consignee_address",
                _(
                    "'%(address)s' has no house number or PO box: give the street and "
                    "number, e.g. 'Meir 40', or the PO box."
                )
                % {"address": address},
            )
        country = facts.consignee_country
        if (
            country
            and not facts.consignee_postcode.strip()
            and country not in facts.reference.countries_without_postcodes
        ):
            yield self.issue(
                "consignee_postcode",
                _(
                    "The consignee's postcode is missing; addresses in %(country)s "
                    "have one."
                )
                % {"country": country},
            )


class ConsignorAddressComplete(Rule):
    """The consignor (seller) is identified by name, address, city and country
    (Annex B UCC DA, data element 13 02 000, column H7)."""

    code = "PTY-CONSIGNOR-ADDRESS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        for field in (
            "consignor_name",
            "consignor_address",
            "consignor_city",
            "consignor_country",
        ):
            if not getattr(facts, field).strip():
                yield self.issue(field, _consignor_missing(field))


def _consignor_missing(field: str) -> str:
    """One whole sentence per field, so that each translates on its own."""
    if field == "consignor_name":
        return _(
            "The consignor's name is missing: copy it from the invoice or the "
            "shipping label."
        )
    if field == "consignor_address":
        return _(
            "The consignor's street and number is missing: copy it from the invoice "
            "or the shipping label."
        )
    if field == "consignor_city":
        return _(
            "The consignor's city is missing: copy it from the invoice or the "
            "shipping label."
        )
    return _(
        "The consignor's country is missing: copy it from the invoice or the "
        "shipping label."
    )


class ConsigneeInTheEu(Rule):
    """Goods imported into the Union are for a consignee in the EU VAT area
    (Art. 5 UCC; Art. 201 Directive 2006/112/EC); goods exported leave it."""

    code = "PTY-CONSIGNEE-EU"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        country = facts.consignee_country
        if not country or country not in facts.reference.countries:
            return
        in_eu = country in facts.reference.eu_vat_area
        territory = facts.consignee_territory
        if facts.is_import and territory and territory.iso_code == country:
            return  # a territory of a member state: TERR-CUSTOMS, TERR-VAT judge it
        if facts.is_import and not in_eu:
            yield self.issue(
                "consignee_country",
                _(
                    "The consignee is in %(country)s, outside the EU: an import "
                    "declaration is for goods delivered in the EU. Check the country."
                )
                % {"country": country},
            )
        elif not facts.is_import and in_eu:
            yield self.issue(
                "consignee_country",
                _(
                    "The consignee is in %(country)s, inside the EU: an export "
                    "declaration is for goods leaving the EU."
                )
                % {"country": country},
            )
