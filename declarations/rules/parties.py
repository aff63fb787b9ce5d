"""Rules on the parties: the consignee's address."""

from collections.abc import Iterator

from declarations.rules.base import ConsignmentFacts, Issue, Rule


class ConsigneeAddressComplete(Rule):
    """The consignee's name, street and number (or PO box), city and country are
    required, and the postcode unless the country has none (Annex B UCC DA, data
    element 13 06 000, column H7)."""

    code = "PTY-CONSIGNEE-ADDRESS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        required = {
            "consignee_name": "The consignee's name is missing: give the buyer's "
            "full name.",
            "consignee_address": "The consignee's street and number (or PO box) are "
            "missing: copy them from the shipping label.",
            "consignee_city": "The consignee's city is missing.",
            "consignee_country": "The consignee's country is missing: give its "
            "2-letter code, e.g. BE.",
        }
        for field, message in required.items():
            if not getattr(facts, field).strip():
                yield self.issue(field, message)
        country = facts.consignee_country
        if country and country not in facts.reference.countries:
            yield self.issue(
                "consignee_country",
                f"'{country}' is not an ISO 3166 country code: use 2 letters, e.g. BE.",
            )
        elif (
            country
            and not facts.consignee_postcode.strip()
            and country not in facts.reference.countries_without_postcodes
        ):
            yield self.issue(
                "consignee_postcode",
                f"The consignee's postcode is missing; addresses in {country} have "
                "one.",
            )
