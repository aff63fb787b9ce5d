"""Rules on the VAT path: IOSS, special arrangements or standard collection."""

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from declarations.identifiers import normalise_ioss
from declarations.rules.base import ConsignmentFacts, Issue, Rule, RuleSettingData

# Additional procedure code per VAT path of a low-value consignment (Annex B UCC
# IA, data element 11 10 000) and the day each applies from: F48 and F49 with
# the VAT e-commerce package (1 July 2021) [H]; F53, the standard path, from
# 1 July 2026 as reported [M]. The dates are the VAT-APC rule's parameters, so a
# RuleSetting changes them as data.
PROCEDURE_CODES = {"IOSS": "F48", "SPECIAL": "F49", "STANDARD": "F53"}
PROCEDURE_CODES_FROM = {"F48": "2021-07-01", "F49": "2021-07-01", "F53": "2026-07-01"}


def expected_procedure_code(
    vat_path: str,
    *,
    on: date,
    low_value: bool = True,
    settings: Mapping[str, RuleSettingData] | None = None,
) -> str:
    """The additional procedure code a low-value consignment on `vat_path` carries
    on `on`; "" when none applies (above EUR 150, or before the code's date)."""
    code = PROCEDURE_CODES.get(vat_path, "")
    if not code or not low_value:
        return ""
    setting = (settings or {}).get(AdditionalProcedureCode.code)
    parameters = setting.parameters if setting else {}
    starts = parameters.get(f"{code}_from", PROCEDURE_CODES_FROM[code])
    return code if on >= date.fromisoformat(str(starts)) else ""


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
    """The additional procedure code of a low-value consignment follows from the
    VAT path: F48 for IOSS, F49 for special arrangements (from 1 July 2021), F53
    for standard collection from 1 July 2026 as reported (Annex B UCC IA, data
    element 11 10 000) [M for F53 and its date]. A declaration dated before a
    code's start is judged without it. The start dates are parameters
    (`F48_from`, `F49_from`, `F53_from`)."""

    code = "VAT-APC"
    declaration_types = ("H7", "H1")
    parameters = {f"{code}_from": day for code, day in PROCEDURE_CODES_FROM.items()}

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        declared = facts.additional_procedure_code
        if not declared or facts.vat_path not in PROCEDURE_CODES:
            return
        expected = expected_procedure_code(
            facts.vat_path,
            on=facts.on,
            low_value=facts.is_low_value,
            settings={self.code: self.setting},
        )
        if declared == expected:
            return
        if expected:
            message = _(
                "Additional procedure code %(declared)s does not match the "
                "%(path)s VAT path: use %(expected)s."
            ) % {"declared": declared, "path": facts.vat_path, "expected": expected}
        else:
            message = _(
                "Additional procedure code %(declared)s does not apply to this "
                "consignment on %(on)s (the %(path)s path of a consignment of EUR "
                "150 or less, and F53 only from its start date): remove it."
            ) % {"declared": declared, "path": facts.vat_path, "on": facts.on}
        yield self.issue("additional_procedure_code", message)


class LowValueReleasedWhereTransportEnds(Rule):
    """Without IOSS, a consignment of EUR 150 or less is released for free
    circulation only in the member state where its transport ends: the special
    arrangements need it (Art. 369y Directive 2006/112/EC; Art. 221(4)
    Implementing Regulation (EU) 2015/2447), and so does VAT collected at
    clearance, which is the VAT of the member state of import (Art. 60-61
    Directive 2006/112/EC; Commission guidance on importation and exportation of
    low value consignments, 2020, 3.2 and 3.3) [H before July 2026, M that the
    2026 amendments kept it]. At LGG that means a consignee in Belgium. An IOSS
    consignment may go to a consumer anywhere in the EU VAT area (Art.
    143(1)(ca))."""

    code = "VAT-DESTINATION"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        path = facts.vat_path
        country = facts.consignee_country
        if path not in ("SPECIAL", "STANDARD") or not facts.is_low_value:
            return
        territory = facts.consignee_territory
        if territory is not None:
            if not territory.in_customs_territory:
                return  # TERR-CUSTOMS says why
            if not territory.in_vat_area and path == "SPECIAL":
                return  # TERR-VAT says why
            where, in_vat_area = territory.member_state, territory.in_vat_area
        elif country in facts.reference.eu_vat_area:
            where, in_vat_area = country, True
        else:
            return  # outside the EU: PTY-CONSIGNEE-EU says so
        importing = facts.member_state_of_import
        if where == importing and in_vat_area:
            return
        destination = f"{territory.name} ({where})" if territory else country
        yield self.issue(
            "consignee_country",
            _(
                "The consignment is on the %(path)s VAT path but its transport ends "
                "in %(destination)s, not in %(importing)s where it is declared: "
                "without IOSS a consignment of EUR 150 or less is released only in "
                "the member state where transport ends. Use the seller's IOSS "
                "number, or declare it in the member state of destination."
            )
            % {"path": path, "destination": destination, "importing": importing},
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
