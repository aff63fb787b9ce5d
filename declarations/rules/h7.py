"""What an H7 and the IOSS may carry: value ceiling, excluded and excise goods."""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule

# Every message that sends the filer to an H1 ends with the same advice, written
# out in each message so that translators get whole sentences: "file an H1
# declaration with a 10-digit TARIC code for every item".


class H7ValueCeiling(Rule):
    """H7 only covers consignments of intrinsic value EUR 150 or less, converted
    at the customs monthly rate (Art. 23 Council Regulation (EC) 1186/2009;
    Delegated Regulation (EU) 2015/2446, Annex B, column H7)."""

    code = "H7-VAL-150"
    declaration_types = ("H7",)
    parameters = {"ceiling_eur": "150"}

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        value = facts.intrinsic_value_eur
        ceiling = Decimal(self.param("ceiling_eur"))
        if value is not None and value > ceiling:
            shown = value.quantize(Decimal("0.01"))
            yield self.issue(
                "item_value",
                _(
                    "Intrinsic value EUR %(value)s is over EUR %(ceiling)s: an H7 "
                    "cannot be used. Correct the item values if they are wrong, "
                    "otherwise file an H1 declaration with a 10-digit TARIC code for "
                    "every item."
                )
                % {"value": shown, "ceiling": ceiling},
            )


# Alcoholic products by HS heading (2201 water and 2202 soft drinks are not).
ALCOHOLIC = {
    "2203": gettext_lazy("beer"),
    "2204": gettext_lazy("wine"),
    "2205": gettext_lazy("vermouth and flavoured wine"),
    "2206": gettext_lazy("cider, perry, mead and other fermented beverages"),
    "2207": gettext_lazy("ethyl alcohol"),
    "2208": gettext_lazy("spirits and liqueurs"),
}
TOBACCO = {"24": gettext_lazy("tobacco and tobacco products")}
ENERGY = {"27": gettext_lazy("mineral fuels and oils (energy products)")}
# Goods excluded from the relief for low-value consignments, and so from the H7,
# by HS prefix (Art. 24 Council Regulation (EC) 1186/2009): alcoholic products,
# perfumes and toilet waters (3303), tobacco and tobacco products. [H]
RELIEF_EXCLUDED = ALCOHOLIC | {"3303": gettext_lazy("perfumes and toilet waters")}
RELIEF_EXCLUDED |= TOBACCO
# Excise goods (Art. 1 Council Directive (EU) 2020/262): alcohol and alcoholic
# beverages, manufactured tobacco, and energy products (Directive 2003/96/EC,
# chapter 27). [H]
EXCISE_GOODS = ALCOHOLIC | TOBACCO | ENERGY


def _kind(table: dict, hs_code: str) -> str | None:
    for length in (6, 4, 2):
        if kind := table.get(hs_code[:length]):
            return str(kind)
    return None


def relief_excluded_kind(hs_code: str) -> str | None:
    """What the goods are, if the low-value relief (and the H7) excludes them."""
    return _kind(RELIEF_EXCLUDED, hs_code)


def excise_kind(hs_code: str) -> str | None:
    """What the goods are, if they are excise goods."""
    return _kind(EXCISE_GOODS, hs_code)


# Prohibited and restricted goods that are refused on an H7 outright, by HS
# prefix, with what they are. Goods that are only sometimes restricted (medicines,
# plants, animal products, CITES species, dangerous goods) go to an officer
# instead: declarations/rules/restricted.py.
RESTRICTED_PREFIXES = {
    "93": gettext_lazy(
        "arms and ammunition (Regulation (EU) 258/2012, Directive (EU) 2021/555)"
    ),
    # Drug precursors, Regulation (EC) 111/2005, Annex category 1 and 2.
    "293941": gettext_lazy("ephedrine (drug precursor, Regulation (EC) 111/2005)"),
    "293942": gettext_lazy(
        "pseudoephedrine (drug precursor, Regulation (EC) 111/2005)"
    ),
    "291431": gettext_lazy("phenylacetone (drug precursor, Regulation (EC) 111/2005)"),
    "293291": gettext_lazy("isosafrole (drug precursor, Regulation (EC) 111/2005)"),
    "293292": gettext_lazy("1-(1,3-benzodioxol-5-yl)propan-2-one (drug precursor)"),
    "293293": gettext_lazy("piperonal (drug precursor, Regulation (EC) 111/2005)"),
    "293294": gettext_lazy("safrole (drug precursor, Regulation (EC) 111/2005)"),
    "284161": gettext_lazy(
        "potassium permanganate (drug precursor, Regulation (EC) 111/2005)"
    ),
}


def restricted_kind(hs_code: str) -> str | None:
    """What the goods of `hs_code` are, in the active language, if restricted."""
    return _kind(RESTRICTED_PREFIXES, hs_code)


class H7NoExciseGoods(ItemRule):
    """Alcoholic products (2203-2208), perfumes and toilet waters (3303) and
    tobacco products (chapter 24) are excluded from the relief for low-value
    consignments and cannot be declared on an H7; water and soft drinks (2201,
    2202) can (Art. 23-24 Council Regulation (EC) 1186/2009) [H]."""

    code = "H7-EXCISE"
    declaration_types = ("H7",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if kind := relief_excluded_kind(item.hs_code):
            yield self.issue(
                "hs_code",
                _(
                    "HS code %(code)s (%(kind)s) is excluded from the low-value "
                    "relief, so an H7 cannot carry it: file an H1 declaration with a "
                    "10-digit TARIC code for every item."
                )
                % {"code": item.hs_code, "kind": kind},
                item,
            )


class ExciseGoodsNotOnIoss(ItemRule):
    """Excise goods (alcohol, tobacco, energy products: Art. 1 Council Directive
    (EU) 2020/262) cannot be sold under the import one-stop shop, nor declared
    under the special arrangements: VAT on them is paid at import (Art. 369l and
    369y Directive 2006/112/EC) [H]. Holds on an H1 as on an H7."""

    code = "VAT-EXCISE"
    declaration_types = ("H7", "H1")

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.vat_path not in ("IOSS", "SPECIAL"):
            return
        if kind := excise_kind(item.hs_code):
            yield self.issue(
                "vat_path",
                _(
                    "HS code %(code)s (%(kind)s) is excise goods, which cannot travel "
                    "on the %(path)s VAT path (Art. 369l VAT Directive): remove the "
                    "IOSS number and choose STANDARD, so that VAT and excise are paid "
                    "at import."
                )
                % {"code": item.hs_code, "kind": kind, "path": facts.vat_path},
                item,
            )


class H7NoRestrictedGoods(ItemRule):
    """Prohibited and restricted goods (weapons, drug precursors) need a standard
    declaration with the licence, not an H7 (Art. 143a Delegated Regulation (EU)
    2015/2446) [H]."""

    code = "H7-RESTRICTED"
    declaration_types = ("H7",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if kind := restricted_kind(item.hs_code):
            yield self.issue(
                "hs_code",
                _(
                    "HS code %(code)s is %(kind)s: restricted goods cannot travel on "
                    "an H7; file an H1 declaration with a 10-digit TARIC code for "
                    "every item and attach the licence or permit."
                )
                % {"code": item.hs_code, "kind": kind},
                item,
            )
