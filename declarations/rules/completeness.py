"""Rules on what every declaration must hold at all."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from declarations.rules.base import ConsignmentFacts, Issue, Rule


class HasGoodsItems(Rule):
    """A declaration declares at least one goods item (Art. 162 UCC)."""

    code = "DEC-ITEMS"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not facts.items:
            yield self.issue(
                "items", _("The declaration has no goods items: add at least one.")
            )


class HouseAwbPresent(Rule):
    """A consignment's own transport document is its house air waybill (Annex B
    UCC DA, data element 12 05 000, column H7)."""

    code = "DEC-HAWB"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not facts.hawb.strip():
            yield self.issue(
                "hawb",
                _("The house AWB is missing: give the parcel's tracking number."),
            )
