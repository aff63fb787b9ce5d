"""Data quality: descriptions, masses, quantities, values, and lines that agree."""

import re
from collections.abc import Iterator
from datetime import date

from django.utils.translation import gettext as _

from declarations.models import Severity
from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule

# Descriptions customs refuses on their own (Annex B UCC DA, data element
# 18 05 000: "plain language, precise enough to identify the goods").
VAGUE_DESCRIPTIONS = {
    "gift",
    "gifts",
    "present",
    "parts",
    "part",
    "spare parts",
    "spare part",
    "sample",
    "samples",
    "accessories",
    "accessory",
    "goods",
    "merchandise",
    "items",
    "item",
    "stuff",
    "various",
    "misc",
    "miscellaneous",
    "general cargo",
    "clothes",
    "clothing",
    "electronics",
    "products",
    "product",
    "daily necessities",
}


def _plain(text: str) -> str:
    return re.sub(r"[^a-z ]+", " ", text.lower()).strip()


class SpecificDescription(ItemRule):
    """The goods description must let customs identify the goods: "gift",
    "parts", "spare parts", "samples" or "accessories" alone are refused (Annex B
    UCC DA, data element 18 05 000; Art. 143a Delegated Regulation 2015/2446)."""

    code = "DQ-DESCRIPTION"

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        plain = " ".join(_plain(item.description).split())
        if not plain:
            yield self.issue(
                "description",
                _(
                    "The description is missing: say what the goods are, e.g. "
                    "'cotton T-shirt for men'."
                ),
                item,
            )
        elif plain in VAGUE_DESCRIPTIONS or len(plain) < 3:
            yield self.issue(
                "description",
                _(
                    "'%(description)s' does not say what the goods are: describe them "
                    "specifically, e.g. 'bicycle brake pads' instead of 'parts'."
                )
                % {"description": item.description},
                item,
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
    """From 1 November 2026 each item should carry the merchant's product
    identifier (SKU or GTIN) (Delegated Regulation (EU) 2026/1022) [M]."""

    code = "ITEM-PRODUCT-ID"
    severity = Severity.WARNING
    applies_from = date(2026, 11, 1)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not item.product_id.strip():
            yield self.issue(
                "product_id",
                _(
                    "The product identifier is missing: give the seller's SKU or the "
                    "barcode (GTIN); it is expected from 1 November 2026."
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
