"""Rules on the VAT path: IOSS, special arrangements or standard collection."""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from declarations.identifiers import normalise_ioss
from declarations.rules.base import ConsignmentFacts, Issue, Rule

# Additional procedure code per VAT path (Annex B UCC IA, data element 11 10 000).
PROCEDURE_CODES = {"IOSS": "F48", "SPECIAL": "F49", "STANDARD": "F53"}


def expected_procedure_code(vat_path: str) -> str:
    return PROCEDURE_CODES.get(vat_path, "")


class VatPathConsistent(Rule):
    """The IOSS path needs the seller's IOSS number and a consignment of EUR 150
    or less; another path carries no IOSS number (Art. 143 (1)(ca) and Art. 369l
    Directive 2006/112/EC; Art. 369y for special arrangements)."""

    code = "VAT-PATH"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        path, number = facts.vat_path, normalise_ioss(facts.ioss_number)
        if path not in PROCEDURE_CODES:
            yield self.issue(
                "vat_path", _("The VAT path must be IOSS, SPECIAL or STANDARD.")
            )
        elif path == "IOSS" and not number:
            yield self.issue(
                "ioss_number",
                _(
                    "The VAT path is IOSS but no IOSS number is given: add the "
                    "seller's IOSS number (IM…), or choose STANDARD."
                ),
            )
        elif path != "IOSS" and number:
            yield self.issue(
                "vat_path",
                _(
                    "An IOSS number is given but the VAT path is %(path)s: choose "
                    "IOSS, or remove the IOSS number."
                )
                % {"path": path},
            )
        value = facts.intrinsic_value_eur
        if path in ("IOSS", "SPECIAL") and value is not None and value > Decimal(150):
            yield self.issue(
                "vat_path",
                _(
                    "The %(path)s VAT path is only for consignments of EUR 150 or "
                    "less: choose STANDARD."
                )
                % {"path": path},
            )


class AdditionalProcedureCode(Rule):
    """The additional procedure code follows from the VAT path: F48 for IOSS, F49
    for special arrangements, F53 for standard collection (Annex B UCC IA, data
    element 11 10 000) [M]."""

    code = "VAT-APC"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        declared = facts.additional_procedure_code
        expected = expected_procedure_code(facts.vat_path)
        if declared and expected and declared != expected:
            yield self.issue(
                "additional_procedure_code",
                _(
                    "Additional procedure code %(declared)s does not match the "
                    "%(path)s VAT path: use %(expected)s."
                )
                % {"declared": declared, "path": facts.vat_path, "expected": expected},
            )


class IossNumberLockedAfterRelease(Rule):
    """Once goods are released, the IOSS number cannot be added, changed or
    removed (Art. 173(3) UCC; Commission VAT e-commerce explanatory notes, 4.2)."""

    code = "VAT-IOSS-LOCKED"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        locked = facts.released_ioss_number
        if locked is None:
            return
        if normalise_ioss(facts.ioss_number) != normalise_ioss(locked):
            if locked:
                message = _(
                    "The goods were released with IOSS number %(number)s; it cannot "
                    "be added, changed or removed after release. Keep it as it was."
                ) % {"number": locked}
            else:
                message = _(
                    "The goods were released with IOSS number none; it cannot be "
                    "added, changed or removed after release. Keep it as it was."
                )
            yield self.issue("ioss_number", message)
