"""EORI numbers: normalise and check (Art. 9 UCC, Regulation (EU) 952/2013)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.be import vat as be_vat

EORI_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
# Who issues EORI numbers valid in the Union: the 27 member states (ISO codes,
# Greece as GR) and, for Northern Ireland under the Windsor Framework, XI
# (Art. 9 UCC; Art. 7 Delegated Regulation (EU) 2015/2446). [H]
EU_EORI_ISSUERS = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE "
    "SI SK XI".split()
)
# An XI EORI is XI + 12 digits, the same digits as the trader's GB EORI
# (HMRC, "Get an EORI number starting with XI"). [M]
XI_PATTERN = re.compile(r"^XI\d{12}$")


def normalise_eori(value: str) -> str:
    """Upper case, without spaces, dots or dashes: users type all of these."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def eori_problem(value: str, *, eu_issued: bool = True) -> str | None:
    """Why `value` (already normalised) is not a valid EORI, or None when it is.

    Every EORI is a 2-letter country code and up to 15 characters (Commission
    Implementing Regulation (EU) 2015/2447, Annex 12-01). With `eu_issued` (a
    declarant or representative) it must have been issued by a member state or
    be an XI number: GB, CN or US numbers are not valid in the Union. A Belgian
    EORI is BE + the 10-digit enterprise number, whose last two digits are
    97 - (first 8 digits mod 97) (python-stdnum be.vat); an XI EORI is XI + 12
    digits. Other member states' national parts have no documented check.
    """
    if not EORI_PATTERN.match(value):
        return _(
            "An EORI is a 2-letter country code followed by up to 15 letters or "
            "digits, e.g. BE0403170701; '%(value)s' is not."
        ) % {"value": value}
    if eu_issued and value[:2] not in EU_EORI_ISSUERS:
        return _(
            "EORI %(value)s was issued by %(country)s, not by an EU member state: "
            "declaring in the EU needs an EORI from a member state (or an XI "
            "number for Northern Ireland). Apply to the customs of the member "
            "state where you are established, or file through a customs "
            "representative that has one."
        ) % {"value": value, "country": value[:2]}
    if value.startswith("XI") and not XI_PATTERN.match(value):
        return _(
            "A Northern Ireland EORI is XI followed by 12 digits, e.g. "
            "XI123456789000; '%(value)s' is not."
        ) % {"value": value}
    if value.startswith("BE"):
        number = value[2:]
        if len(number) != 10 or not number.isdigit():
            return _(
                "A Belgian EORI is BE followed by the 10-digit enterprise number, "
                "e.g. BE0403170701."
            )
        if not be_vat.is_valid(number):
            return _(
                "The check digits of Belgian EORI %(value)s are wrong: the last two "
                "digits must be 97 minus the first eight modulo 97. Check the "
                "number on the EORI certificate."
            ) % {"value": value}
    return None


def validate_eori(value: str) -> None:
    """Django validator; expects the normalised value."""
    problem = eori_problem(normalise_eori(value))
    if problem:
        raise ValidationError(problem, code="invalid_eori")


def eori_fails(eori: str) -> bool:
    """Whether a stored declarant EORI fails today's check (blank: not judged)."""
    return bool(eori and eori_problem(normalise_eori(eori)))


def organisation_filing_refusal(*, eori: str, flagged: bool) -> str | None:
    """Why an organisation with this EORI may not file, or None when it may.

    An organisation flagged by the EORI recheck (Organisation.eori_flagged), or
    whose EORI fails the check today, files nothing until an operator corrects
    the number; an organisation without an EORI is judged by the rule book.
    """
    problem = eori_problem(eori) if eori else None
    if not (problem or flagged):
        return None
    return _(
        "Your organisation's EORI %(eori)s fails the EORI check, so nothing can be "
        "filed until it is corrected: %(problem)s Ask the portal operator to "
        "correct the EORI in your organisation's record."
    ) % {
        "eori": eori or "—",
        "problem": problem or _("it was flagged by the operator."),
    }
