"""Data quality: descriptions, masses, quantities, values, and lines that agree."""

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from declarations.models import Severity
from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule

DATA = Path(__file__).resolve().parent.parent / "data"


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _read_list(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and line[0] != "#"]


@cache
def unacceptable_descriptions() -> frozenset[str]:
    """The Commission's ICS2 list of descriptions refused on their own (data)."""
    terms = _read_list("ics2_unacceptable_descriptions.txt")
    return frozenset(_plain(term) for term in terms)


@cache
def placeholder_party_names() -> frozenset[str]:
    """Party names that name no one ("N/A", "Unknown", "TBA"...) (data)."""
    return frozenset(_letters(t) for t in _read_list("placeholder_party_names.txt"))


def is_unacceptable_description(text: str) -> bool:
    plain = _plain(text)
    vague = unacceptable_descriptions()
    singular = plain[:-1] if plain.endswith("s") else plain
    return plain in vague or singular in vague or f"{plain}s" in vague


def is_placeholder_name(name: str) -> bool:
    letters = _letters(name)
    if not name.strip():
        return False
    return (
        not letters
        or letters in placeholder_party_names()
        or len(set(letters)) == 1
    )


class SpecificDescription(ItemRule):
    """The goods description must let customs identify the goods: the terms of
    the Commission's ICS2 list of unacceptable goods descriptions ("Toys",
    "Footwear", "As per invoice", "Parts", "Gift", "Accessories"...) are refused
    on their own (Annex B Delegated Regulation (EU) 2015/2446, data element
    18 05 000: "general terms ... cannot be accepted") [H]; the list is data,
    declarations/data/ics2_unacceptable_descriptions.txt [M]."""

    code = "DQ-DESCRIPTION"

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        plain = _plain(item.description)
        if not plain:
            yield self.issue(
                "description",
                _(
                    "The description is missing: say what the goods are, e.g. "
                    "'cotton T-shirt for men'."
                ),
                item,
            )
        elif is_unacceptable_description(plain) or len(plain) < 3:
            yield self.issue(
                "description",
                _(
                    "'%(description)s' is on the EU's list of goods descriptions that "
                    "do not say what the goods are: describe them specifically, e.g. "
                    "'plastic building blocks toy set' instead of 'toys'."
                )
                % {"description": item.description},
                item,
            )


class PartyNameNotPlaceholder(Rule):
    """Consignor and consignee are named: placeholders such as "N/A", "Unknown",
    "TBA", "-" or "XXX" are refused (Annex B Delegated Regulation (EU)
    2015/2446, data elements 13 02 016 and 13 06 016; the Commission's ICS2 list
    of unacceptable party information) [M]; the list is data,
    declarations/data/placeholder_party_names.txt."""

    code = "DQ-PARTY-NAME"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if is_placeholder_name(facts.consignor_name):
            yield self.issue(
                "consignor_name",
                _(
                    "'%(name)s' is not a consignor's name: give the seller's real "
                    "name as on the invoice."
                )
                % {"name": facts.consignor_name},
            )
        if is_placeholder_name(facts.consignee_name):
            yield self.issue(
                "consignee_name",
                _(
                    "'%(name)s' is not a consignee's name: give the buyer's full "
                    "name as on the shipping label."
                )
                % {"name": facts.consignee_name},
            )


class MassesConsistent(Rule):
    """Gross mass is required, above zero, and at least the sum of the items'
    net masses (Annex B UCC DA, data elements 18 01 000 and 18 04 000)."""

    code = "DQ-MASS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        gross = facts.gross_mass_kg
        if gross is None or gross <= 0:
            yield self.issue(
                "gross_mass_kg",
                _(
                    "The gross mass must be above 0 kg: weigh the parcel with its "
                    "packing."
                ),
            )
        for item in facts.items:
            if item.net_mass_kg is not None and item.net_mass_kg <= 0:
                yield self.issue(
                    "net_mass_kg",
                    _("The net mass must be above 0 kg, or left empty."),
                    item,
                )
        net = sum((i.net_mass_kg or 0) for i in facts.items)
        if gross is not None and gross > 0 and net > gross:
            yield self.issue(
                "gross_mass_kg",
                _(
                    "The gross mass %(gross)s kg is less than the items' net mass "
                    "%(net)s kg: the gross mass includes packing, so it cannot be "
                    "lower."
                )
                % {"gross": gross, "net": net},
            )


class QuantityAndValue(ItemRule):
    """Each item has a quantity of 1 or more and a value that is not negative;
    a zero value is suspicious for a sale (Art. 70 UCC, transaction value)."""

    code = "DQ-QUANTITY-VALUE"

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if item.quantity < 1:
            yield self.issue("quantity", _("The quantity must be 1 or more."), item)
        if item.item_value < 0:
            yield self.issue(
                "item_value",
                _("The item value cannot be negative: give the price paid."),
                item,
            )


class ZeroValue(ItemRule):
    """Goods sold at zero value are a known undervaluation pattern; the officer
    checks them (Art. 70 UCC; Commission e-commerce guidance, 2020)."""

    code = "DQ-ZERO-VALUE"
    severity = Severity.WARNING
    risk_points = 20

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if item.item_value == 0:
            yield self.issue(
                "item_value",
                _(
                    "The item value is 0: give the price paid, or for a free item the "
                    "value of identical goods."
                ),
                item,
            )


class LinesAgree(Rule):
    """One consignment is one declaration: its consignment-level data must be the
    same on every line (one H7 per consignment, Art. 143a Delegated Regulation
    (EU) 2015/2446)."""

    code = "DQ-CONSISTENT"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        for field in facts.line_conflicts:
            yield self.issue(
                field,
                _(
                    "The lines of house AWB %(hawb)s disagree on %(field)s: give the "
                    "same value on every line of the consignment."
                )
                % {"hawb": facts.hawb, "field": field},
            )


class ProductIdentifier(ItemRule):
    """From the date Delegated Regulation (EU) 2026/1022 sets (reported as
    1 November 2026 [M]; a RuleSetting moves it) each goods item carries the
    merchant's product identifier (SKU)."""

    code = "ITEM-PRODUCT-ID"
    declaration_types = ("H7", "H1")
    applies_from = date(2026, 11, 1)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not item.product_id.strip():
            yield self.issue(
                "product_id",
                _(
                    "The merchant's product identifier is missing: give the seller's "
                    "SKU or article number for this item (required from 1 November "
                    "2026)."
                ),
                item,
            )


class ManufacturerProductIdentifier(ItemRule):
    """From the date Delegated Regulation (EU) 2026/1022 sets (reported as
    1 November 2026 [M]; a RuleSetting moves it) each goods item carries the
    manufacturer's product identifier (GTIN/EAN barcode or the maker's part
    number)."""

    code = "ITEM-MANUFACTURER-ID"
    declaration_types = ("H7", "H1")
    applies_from = date(2026, 11, 1)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not item.manufacturer_product_id.strip():
            yield self.issue(
                "manufacturer_product_id",
                _(
                    "The manufacturer's product identifier is missing: give the "
                    "barcode (GTIN/EAN) or the maker's part number for this item "
                    "(required from 1 November 2026)."
                ),
                item,
            )


class CostsAndPackages(Rule):
    """Transport and insurance costs are not negative, and a consignment has at
    least one package (Annex B UCC DA, data elements 14 03 000 and 18 06 003)."""

    code = "DQ-COSTS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.transport_cost < 0:
            yield self.issue(
                "transport_cost",
                _("The transport cost cannot be negative: give the amount paid, or 0."),
            )
        if facts.insurance_cost < 0:
            yield self.issue(
                "insurance_cost",
                _("The insurance cost cannot be negative: give the amount paid, or 0."),
            )
        if facts.packages < 1:
            yield self.issue("packages", _("The number of packages must be 1 or more."))
