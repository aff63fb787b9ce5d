"""H7 eligibility: value ceiling, and goods that an H7 may not carry."""

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


# Excise goods (Council Directive (EU) 2020/262): alcohol, tobacco and nicotine,
# energy products.
EXCISE_CHAPTERS = {
    "22": gettext_lazy("alcoholic beverages"),
    "24": gettext_lazy("tobacco and nicotine products"),
    "27": gettext_lazy("mineral fuels and oils"),
}

# Prohibited and restricted goods, by HS prefix, with what they are.
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
# Goods usually of CITES-listed species (Council Regulation (EC) 338/97).
RESTRICTED_PREFIXES |= {
    "0106": gettext_lazy("live animals (CITES, Regulation (EC) 338/97)"),
    "050710": gettext_lazy("ivory (CITES, Regulation (EC) 338/97)"),
    "0508": gettext_lazy("coral and shells (CITES, Regulation (EC) 338/97)"),
    "4301": gettext_lazy("raw furskins (CITES, Regulation (EC) 338/97)"),
    "960110": gettext_lazy("worked ivory (CITES, Regulation (EC) 338/97)"),
}


def restricted_kind(hs_code: str) -> str | None:
    """What the goods of `hs_code` are, in the active language, if restricted."""
    for length in (6, 4, 2):
        if kind := RESTRICTED_PREFIXES.get(hs_code[:length]):
            return str(kind)
    return None


class H7NoExciseGoods(ItemRule):
    """Excise goods are excluded from the relief for low-value consignments and
    cannot be declared on an H7 (Art. 23(2) Council Regulation (EC) 1186/2009)."""

    code = "H7-EXCISE"
    declaration_types = ("H7",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if kind := EXCISE_CHAPTERS.get(item.hs_code[:2]):
            yield self.issue(
                "hs_code",
                _(
                    "HS chapter %(chapter)s (%(kind)s) is excise goods, which an H7 "
                    "cannot carry: file an H1 declaration with a 10-digit TARIC code "
                    "for every item."
                )
                % {"chapter": item.hs_code[:2], "kind": kind},
                item,
            )


class H7NoRestrictedGoods(ItemRule):
    """Prohibited and restricted goods (weapons, drug precursors, CITES species)
    need a standard declaration with the licence, not an H7 (Art. 143a Delegated
    Regulation (EU) 2015/2446)."""

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
