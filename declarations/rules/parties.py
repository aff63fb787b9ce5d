"""Rules on the parties: addresses, and where the consignee is."""

import re
from collections.abc import Iterator

from declarations.rules.base import ConsignmentFacts, Issue, Rule

PO_BOX = re.compile(r"\b(p\.?\s?o\.?\s?box|postbus|boîte postale|bp|postfach)\b", re.I)


class ConsigneeAddressComplete(Rule):
    """The consignee's name, street and number (or PO box), city and country are
    required, and the postcode unless the country has none (Annex B UCC DA, data
    element 13 06 000, column H7)."""

    code = "PTY-CONSIGNEE-ADDRESS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        required = {
            "consignee_name": "The consignee's name is missing: give the buyer's "
            "full name.",
            "consignee_city": "The consignee's city is missing.",
            "consignee_country": "The consignee's country is missing: give its "
            "2-letter code, e.g. BE.",
        }
        for field, message in required.items():
            if not getattr(facts, field).strip():
                yield self.issue(field, message)
        address = facts.consignee_address.strip()
        if not address:
            yield self.issue(
                "consignee_address",
                "The consignee's street and number (or PO box) are missing: copy them "
                "from the shipping label.",
            )
        elif not re.search(r"\d", address) and not PO_BOX.search(address):
            yield self.issue(
                "consignee_address",
                f"'{address}' has no house number or PO box: give the street and "
                "number, e.g. 'Meir 40', or the PO box.",
            )
        country = facts.consignee_country
        if (
            country
            and not facts.consignee_postcode.strip()
            and country not in facts.reference.countries_without_postcodes
        ):
            yield self.issue(
                "consignee_postcode",
                f"The consignee's postcode is missing; addresses in {country} have "
                "one.",
            )


class ConsignorAddressComplete(Rule):
    """The consignor (seller) is identified by name, address, city and country
    (Annex B UCC DA, data element 13 02 000, column H7)."""

    code = "PTY-CONSIGNOR-ADDRESS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        for field, what in (
            ("consignor_name", "name"),
            ("consignor_address", "street and number"),
            ("consignor_city", "city"),
            ("consignor_country", "country"),
        ):
            if not getattr(facts, field).strip():
                yield self.issue(
                    field,
                    f"The consignor's {what} is missing: copy it from the invoice or "
                    "the shipping label.",
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
        if facts.is_import and not in_eu:
            yield self.issue(
                "consignee_country",
                f"The consignee is in {country}, outside the EU: an import "
                "declaration is for goods delivered in the EU. Check the country.",
            )
        elif not facts.is_import and in_eu:
            yield self.issue(
                "consignee_country",
                f"The consignee is in {country}, inside the EU: an export "
                "declaration is for goods leaving the EU.",
            )
