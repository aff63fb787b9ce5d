"""Rules on codes: the HS nomenclature."""

from collections.abc import Iterator

from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule


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
                "The HS code is missing: give the 6-digit subheading, e.g. 610910 for "
                "cotton T-shirts.",
                item,
            )
            return
        if not code.isdigit() or len(code) not in (6, 8, 10):
            yield self.issue(
                "hs_code",
                f"HS code '{code}' must be 6 digits (8 or 10 for an H1), e.g. 610910.",
                item,
            )
            return
        if code[:6] not in facts.reference.hs_codes:
            chapter = code[:2]
            hint = (
                "chapter 77 is reserved and unused"
                if chapter == "77"
                else f"subheading {code[:6]} does not exist"
            )
            yield self.issue(
                "hs_code",
                f"HS code {code} is not in the nomenclature in force ({hint}): look "
                "the goods up in the HS search and use an existing subheading.",
                item,
            )
