"""H7 eligibility: value ceiling, and goods that H7 may not carry."""

from collections.abc import Iterator
from decimal import Decimal

from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule

H7_VALUE_CEILING_EUR = Decimal(150)


class H7ValueCeiling(Rule):
    """H7 only covers consignments of intrinsic value EUR 150 or less, converted
    at the customs monthly rate (Art. 23 Council Regulation (EC) 1186/2009;
    Delegated Regulation (EU) 2015/2446, Annex B, column H7)."""

    code = "H7-VAL-150"
    declaration_types = ("H7",)

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.intrinsic_value_eur is None:
            if facts.rate_problem:
                yield self.issue("currency", facts.rate_problem)
            return
        if facts.intrinsic_value_eur > H7_VALUE_CEILING_EUR:
            shown = facts.intrinsic_value_eur.quantize(Decimal("0.01"))
            yield self.issue(
                "item_value",
                f"Intrinsic value EUR {shown} is over EUR 150: an H7 cannot be used. "
                "File an H1 declaration with a 10-digit TARIC code for every item.",
            )


# Chapters whose goods are excise goods (Council Directive (EU) 2020/262):
# alcohol, tobacco and nicotine, energy products.
EXCISE_CHAPTERS = {
    "22": "alcoholic beverages",
    "24": "tobacco and nicotine products",
    "27": "mineral fuels and oils",
}
# Prohibited or restricted goods that need a full declaration: arms and ammunition.
RESTRICTED_CHAPTERS = {"93": "arms and ammunition"}


class H7NoExciseGoods(ItemRule):
    """Excise goods are excluded from the relief for low-value consignments and
    cannot be declared on an H7 (Art. 23(2) Council Regulation (EC) 1186/2009)."""

    code = "H7-EXCISE"
    declaration_types = ("H7",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if kind := EXCISE_CHAPTERS.get(item.hs_code[:2]):
            yield self.issue(
                "hs_code",
                f"HS chapter {item.hs_code[:2]} ({kind}) is excise goods, which an H7 "
                "cannot carry: file an H1 declaration with a 10-digit TARIC code.",
                item,
            )


class H7NoRestrictedGoods(ItemRule):
    """Prohibited and restricted goods need a standard declaration, not an H7
    (Art. 143a Delegated Regulation (EU) 2015/2446)."""

    code = "H7-RESTRICTED"
    declaration_types = ("H7",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if kind := RESTRICTED_CHAPTERS.get(item.hs_code[:2]):
            yield self.issue(
                "hs_code",
                f"HS chapter {item.hs_code[:2]} ({kind}) is restricted goods, which an "
                "H7 cannot carry: file an H1 declaration with a 10-digit TARIC code "
                "and the licence.",
                item,
            )
