"""Risk rules: what sends a declaration to an officer instead of straight through.

They never reject: a hit is a warning with risk points, and a declaration whose
points reach REVIEW_RISK_THRESHOLD goes to the review queue with the reasons.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from declarations.models import Severity
from declarations.rules.base import (
    ConsignmentFacts,
    Issue,
    ItemFacts,
    ItemRule,
    Rule,
    ScreeningResult,
    party_key,
    screened_party,
)

CENT = Decimal("0.01")


class SanctionsScreening(Rule):
    """Consignor, consignee and declarant are screened against the EU consolidated
    list and the OFAC SDN list; a match goes to an officer with the listed entry
    and its score, never silently through and never automatically rejected
    (Art. 2 Council Regulation (EU) 269/2014 and the other asset-freeze
    regulations: no goods may be made available to listed persons). A party an
    officer cleared as a namesake of an entry is not raised again for that
    entry while the entry reads the same."""

    code = "RISK-SANCTIONS"
    severity = Severity.WARNING
    risk_points = 100

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        screen = facts.reference.screen
        if screen is None:
            return
        for party in ("consignor", "consignee", "declarant"):
            name = getattr(facts, f"{party}_name")
            if not name.strip():
                continue
            cleared = facts.reference.screening_cleared
            key = party_key(*screened_party(facts, party))
            for hit in screen(name):
                if (key, hit.entry_id) in cleared:
                    continue  # an officer found this party to be a namesake
                result = ScreeningResult(
                    party=party,
                    screened_name=name,
                    listed_name=hit.listed_name,
                    matched_name=hit.matched_name,
                    source=hit.source,
                    external_id=str(hit.external_id),
                    kind=hit.kind,
                    programmes=hit.programmes,
                    score=float(hit.score),
                    entry_id=hit.entry_id,
                )
                yield self.issue(
                    f"{party}_name",
                    _sanctions_message(party)
                    % {
                        "name": name,
                        "matched": hit.matched_name,
                        "source": hit.source,
                        "entry": hit.external_id,
                        "programmes": hit.programmes,
                        "score": f"{hit.score:.0f}",
                    },
                    screening=result,
                )


def _sanctions_message(party: str) -> str:
    """One whole sentence per party, so that each translates on its own."""
    if party == "consignor":
        return _(
            "The consignor '%(name)s' matches '%(matched)s' on the %(source)s list "
            "(entry %(entry)s, %(programmes)s, score %(score)s): a customs officer "
            "will check it before release."
        )
    if party == "consignee":
        return _(
            "The consignee '%(name)s' matches '%(matched)s' on the %(source)s list "
            "(entry %(entry)s, %(programmes)s, score %(score)s): a customs officer "
            "will check it before release."
        )
    return _(
        "The declarant '%(name)s' matches '%(matched)s' on the %(source)s list "
        "(entry %(entry)s, %(programmes)s, score %(score)s): a customs officer will "
        "check it before release."
    )


class Undervaluation(ItemRule):
    """A unit value far below the typical value of its HS subheading suggests
    undervaluation; the officer checks the invoice (Art. 70 and 140 UCC;
    Art. 140 Implementing Regulation (EU) 2015/2447, reasonable doubt)."""

    code = "RISK-UNDERVALUE"
    severity = Severity.WARNING
    risk_points = 40
    # The fraction of the typical unit value below which a value is suspicious [L].
    parameters = {"ratio": "0.2"}

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        typical = facts.reference.typical_unit_values.get(item.hs_code[:6])
        if not typical or item.quantity < 1 or item.item_value <= 0:
            return
        unit_eur = facts.to_eur(item.item_value / item.quantity)
        if unit_eur is None:
            return
        ratio = Decimal(self.param("ratio"))
        if unit_eur < typical * ratio:
            yield self.issue(
                "item_value",
                _(
                    "EUR %(unit)s per unit is far below the typical EUR %(typical)s "
                    "for HS %(subheading)s: check the value, and keep the invoice "
                    "ready for the officer."
                )
                % {
                    "unit": unit_eur.quantize(CENT),
                    "typical": typical.quantize(CENT),
                    "subheading": item.hs_code[:6],
                },
                item,
            )


class SplitConsignment(Rule):
    """Low-value parcels of one consignor to one consignee (same name, postcode
    and street) on the same day whose intrinsic values together exceed EUR 150
    may be one consignment split to stay under the H7 ceiling and the duty
    relief; below that the split changes nothing (Art. 23 Council Regulation (EC)
    1186/2009; Art. 143a Delegated Regulation (EU) 2015/2446, consignments sent
    separately on purpose). The threshold is a parameter [M]."""

    code = "RISK-SPLIT"
    severity = Severity.WARNING
    risk_points = 50
    parameters = {"combined_over_eur": "150"}

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        siblings = facts.split_siblings
        if not siblings:
            return
        own = facts.intrinsic_value_eur or Decimal(0)
        combined = own + sum((s.value_eur for s in siblings), Decimal(0))
        if combined <= Decimal(self.param("combined_over_eur")):
            return
        hawbs = ", ".join(sorted(s.hawb for s in siblings)[:5])
        yield self.issue(
            "consignee_name",
            # The English says "parcel(s)" whatever the count; other languages
            # choose their plural form.
            ngettext(
                "%(consignee)s also receives %(count)s other parcel(s) from "
                "%(consignor)s on the same day (%(hawbs)s); together EUR %(total)s. "
                "If they are one order, declare them as one consignment.",
                "%(consignee)s also receives %(count)s other parcel(s) from "
                "%(consignor)s on the same day (%(hawbs)s); together EUR %(total)s. "
                "If they are one order, declare them as one consignment.",
                len(siblings),
            )
            % {
                "consignee": facts.consignee_name,
                "count": len(siblings),
                "consignor": facts.consignor_name,
                "hawbs": hawbs,
                "total": combined.quantize(CENT),
            },
        )
