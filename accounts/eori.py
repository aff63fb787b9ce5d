"""EORI numbers: normalise and check (Art. 9 UCC, Regulation (EU) 952/2013)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.be import vat as be_vat

EORI_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")


def normalise_eori(value: str) -> str:
    """Upper case, without spaces, dots or dashes: users type all of these."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def eori_problem(value: str) -> str | None:
    """Why `value` (already normalised) is not a valid EORI, or None when it is.

    Every EORI is a 2-letter member-state code and up to 15 characters
    (Commission Implementing Regulation (EU) 2015/2447, Annex 12-01). A Belgian
    EORI is BE + the 10-digit enterprise number, whose last two digits are
    97 - (first 8 digits mod 97).
    """
    if not EORI_PATTERN.match(value):
        return _(
            "An EORI is a 2-letter country code followed by up to 15 letters or "
            "digits, e.g. BE0403170701; '%(value)s' is not."
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
