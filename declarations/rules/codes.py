"""Rules on codes: HS nomenclature, countries, currencies, airports."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule


class HsCodeExists(ItemRule):
    """The commodity code must be a subheading of the Harmonized System in force
    at the declaration date, not merely six digits (Council Regulation (EEC)
    2658/87; HS 2022, WCO). An H7 declares the 6-digit subheading (Annex B
    UCC DA, data element 18 09 056)."""

    code = "HS-EXISTS"

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        code = item.hs_code
        if not code:
            yield self.issue(
                "hs_code",
                _(
                    "The HS code is missing: give the 6-digit subheading, e.g. 610910 "
                    "for cotton T-shirts."
                ),
                item,
            )
            return
        if not code.isdigit() or len(code) not in (6, 8, 10):
            yield self.issue(
                "hs_code",
                _(
                    "HS code '%(code)s' must be 6 digits (8 or 10 for an H1), e.g. "
                    "610910."
                )
                % {"code": code},
                item,
            )
            return
        if code[:6] not in facts.reference.hs_codes:
            if code[:2] == "77":
                message = _(
                    "HS code %(code)s is not in the nomenclature in force (chapter 77 "
                    "is reserved and unused): look the goods up in the HS search and "
                    "use an existing subheading."
                )
            else:
                message = _(
                    "HS code %(code)s is not in the nomenclature in force (subheading "
                    "%(subheading)s does not exist): look the goods up in the HS "
                    "search and use an existing subheading."
                )
            yield self.issue(
                "hs_code", message % {"code": code, "subheading": code[:6]}, item
            )


class H1NeedsTaricCode(ItemRule):
    """A standard import declaration (H1) classifies each item with its 10-digit
    TARIC code (Annex B UCC DA, data elements 18 09 057-058, column H1)."""

    code = "HS-TARIC-H1"
    declaration_types = ("H1",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if item.hs_code.isdigit() and len(item.hs_code) != 10:
            yield self.issue(
                "hs_code",
                _(
                    "An H1 needs the 10-digit TARIC code, not '%(code)s': add the CN "
                    "and TARIC digits (look them up in the EU TARIC database)."
                )
                % {"code": item.hs_code},
                item,
            )


class CountryCodesReal(Rule):
    """Countries are ISO 3166-1 alpha-2 codes, XI for Northern Ireland (Annex B
    UCC IA, code list for countries)."""

    code = "CODE-COUNTRY"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        known = facts.reference.countries
        for field in ("consignor_country", "consignee_country"):
            value = getattr(facts, field)
            if value and value not in known:
                yield self.issue(field, _country_message(value))
        for item in facts.items:
            if not item.origin_country:
                yield self.issue(
                    "origin_country",
                    _(
                        "The country of origin is missing: give where the goods were "
                        "made, e.g. CN."
                    ),
                    item,
                )
            elif item.origin_country not in known:
                yield self.issue(
                    "origin_country", _country_message(item.origin_country), item
                )


def _country_message(value: str) -> str:
    return _(
        "'%(value)s' is not an ISO 3166 country code: use 2 letters, e.g. CN or BE."
    ) % {"value": value}


class CurrencyCodeReal(Rule):
    """Amounts are declared in an ISO 4217 currency (Annex B UCC IA, data element
    14 04 000)."""

    code = "CODE-CURRENCY"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not facts.currency:
            yield self.issue(
                "currency",
                _(
                    "The currency is missing: give the invoice's 3-letter code, e.g. "
                    "EUR."
                ),
            )
        elif facts.currency not in facts.reference.currencies:
            yield self.issue(
                "currency",
                _(
                    "'%(currency)s' is not an ISO 4217 currency: use 3 letters, e.g. "
                    "EUR, USD or CNY."
                )
                % {"currency": facts.currency},
            )


class AirportCodesReal(Rule):
    """Airports of loading and unloading are IATA location codes (Annex B UCC IA,
    data elements 16 15 000 and 16 16 000)."""

    code = "CODE-AIRPORT"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        airports = facts.reference.airports
        missing = {
            "departure_airport": _(
                "The departure airport is missing: give its 3-letter IATA code, e.g. "
                "CGO or LGG."
            ),
            "arrival_airport": _(
                "The arrival airport is missing: give its 3-letter IATA code, e.g. "
                "CGO or LGG."
            ),
        }
        for field, message in missing.items():
            value = getattr(facts, field)
            if not value:
                yield self.issue(field, message)
            elif airports and value not in airports:
                yield self.issue(
                    field,
                    _(
                        "'%(value)s' is not an IATA airport code: use 3 letters, e.g. "
                        "CGO, HGH or LGG."
                    )
                    % {"value": value},
                )


class CustomsRateKnown(Rule):
    """Amounts in another currency are converted at the customs monthly rate, the
    ECB rate of the penultimate Wednesday of the previous month (Art. 146
    Implementing Regulation (EU) 2015/2447); without it no value can be judged."""

    code = "CUR-RATE"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.currency and facts.eur_rate is None and facts.rate_problem:
            yield self.issue("currency", facts.rate_problem)
