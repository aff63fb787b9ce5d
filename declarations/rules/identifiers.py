"""Rules on the identifiers a declaration carries: EORI, IOSS, AWBs, MRN."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from accounts.eori import eori_problem, normalise_eori
from declarations.identifiers import ioss_problem, mrn_problem, normalise_ioss
from declarations.rules.base import ConsignmentFacts, Issue, Rule
from shipments.awb import mawb_problem, normalise_mawb


class EoriValid(Rule):
    """An EORI given for the declarant or the consignee must be well formed, and a
    Belgian one must pass the enterprise-number check (python-stdnum be.vat). The
    declarant's (or representative's) must have been issued by an EU member
    state, or be an XI number: GB, CN or US numbers are refused (Art. 9 UCC,
    Regulation (EU) 952/2013; Art. 6-7 Delegated Regulation (EU) 2015/2446)."""

    code = "ID-EORI"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        # An importing consignee is established in the EU, so its EORI is an EU
        # one too; an export's consignee is abroad (its number: form only).
        consignee_in_eu = facts.is_import
        for field, eu_issued in (
            ("declarant_eori", True),
            ("consignee_eori", consignee_in_eu),
        ):
            value = normalise_eori(getattr(facts, field))
            if value and (problem := eori_problem(value, eu_issued=eu_issued)):
                yield self.issue(field, problem)


class IossNumberValid(Rule):
    """An IOSS number is IM + a member state's numeric code + 7 digits; an
    intermediary's IN number is not one (Art. 369q Directive 2006/112/EC)."""

    code = "ID-IOSS"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        value = normalise_ioss(facts.ioss_number)
        if value and (problem := ioss_problem(value)):
            yield self.issue("ioss_number", problem)


class MasterAwbValid(Rule):
    """The transport document of an air consignment is its master air waybill,
    whose last digit is the first seven modulo 7 (Annex B UCC DA, data element
    12 05 000; IATA Resolution 600a)."""

    code = "ID-MAWB"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not facts.mawb:
            yield self.issue(
                "mawb",
                _(
                    "The master AWB is missing: copy it from the air waybill, e.g. "
                    "172-12345675."
                ),
            )
        elif problem := mawb_problem(normalise_mawb(facts.mawb)):
            yield self.issue("mawb", problem)


class HouseAwbUnique(Rule):
    """Each house air waybill is declared once in a filing: a second consignment
    with the same HAWB would be a duplicate declaration (Art. 148 Delegated
    Regulation (EU) 2015/2446; one H7 per consignment)."""

    code = "ID-HAWB-UNIQUE"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.hawb and facts.hawb_duplicates:
            yield self.issue(
                "hawb",
                _(
                    "House AWB %(hawb)s appears %(count)s times in this filing: give "
                    "each parcel its own house AWB, or merge the rows of one parcel."
                )
                % {"hawb": facts.hawb, "count": facts.hawb_duplicates + 1},
            )


class PreviousMrnValid(Rule):
    """A previous document referred to by its MRN must carry a correct check
    character (Annex B UCC IA, data element 12 01 000; ISO 6346 check)."""

    code = "ID-MRN"

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.previous_mrn and (problem := mrn_problem(facts.previous_mrn)):
            yield self.issue("previous_mrn", problem)
