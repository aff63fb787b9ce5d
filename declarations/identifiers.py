"""Declaration identifiers: the MRN and its check character, and IOSS numbers."""

import re

from django.utils.translation import gettext as _

# ISO 6346 letter values: A=10 upwards, skipping multiples of 11.
_LETTER_VALUES = {}
_value = 10
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    if _value % 11 == 0:
        _value += 1
    _LETTER_VALUES[_letter] = _value
    _value += 1

MRN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}[A-Z0-9]{13}[A-Z0-9]$")
IOSS_PATTERN = re.compile(r"^IM(\d{3})\d{7}$")
# ISO 3166 numeric codes of the EU member states, and 900 for Northern Ireland
# (Art. 369q Council Directive 2006/112/EC; IOSS numbers embed the issuing state).
IOSS_MEMBER_STATES = {
    "040": "AT",
    "056": "BE",
    "100": "BG",
    "191": "HR",
    "196": "CY",
    "203": "CZ",
    "208": "DK",
    "233": "EE",
    "246": "FI",
    "250": "FR",
    "276": "DE",
    "300": "GR",
    "348": "HU",
    "372": "IE",
    "380": "IT",
    "428": "LV",
    "440": "LT",
    "442": "LU",
    "470": "MT",
    "528": "NL",
    "616": "PL",
    "620": "PT",
    "642": "RO",
    "703": "SK",
    "705": "SI",
    "724": "ES",
    "752": "SE",
    "900": "XI",
}


def iso6346_check_character(body: str) -> str:
    """The check character of an MRN body (Annex B, UCC IA, data element 12 28 000).

    Each character's value (digits as such, letters per ISO 6346) is weighted by
    2**position; the sum modulo 11 is the check, with 10 written as 0.
    """
    total = 0
    for position, char in enumerate(body):
        value = int(char) if char.isdigit() else _LETTER_VALUES[char]
        total += value * 2**position
    return str(total % 11 % 10)


def mrn_build(*, year: int, country: str, serial: str) -> str:
    body = f"{year % 100:02d}{country}{serial}"
    return body + iso6346_check_character(body)


def mrn_problem(value: str) -> str | None:
    """Why `value` is not a well-formed MRN, or None."""
    if not MRN_PATTERN.match(value):
        return _(
            "An MRN is 18 characters: 2-digit year, 2-letter country, 13 letters or "
            "digits and a check character; '%(value)s' is not."
        ) % {"value": value}
    if iso6346_check_character(value[:17]) != value[17]:
        return _(
            "The check character of MRN %(value)s is wrong: re-type it from the "
            "release note."
        ) % {"value": value}
    return None


def normalise_ioss(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def ioss_problem(value: str) -> str | None:
    """Why `value` (normalised) is not an IOSS number, or None.

    IM + 3-digit member-state code + 7 digits, the last a check digit whose
    algorithm is not public (Art. 369q Directive 2006/112/EC). IN… numbers
    identify intermediaries and cannot be declared as the IOSS number.
    """
    if value.startswith("IN"):
        return _(
            "%(value)s is an intermediary number (IN…), not an IOSS number: give the "
            "seller's IOSS number, which starts with IM."
        ) % {"value": value}
    match = IOSS_PATTERN.match(value)
    if not match:
        return _(
            "An IOSS number is IM followed by 10 digits, e.g. IM0560000012; "
            "'%(value)s' is not."
        ) % {"value": value}
    if match.group(1) not in IOSS_MEMBER_STATES:
        return _(
            "IOSS number %(value)s names member state code %(code)s, which is not an "
            "EU member state (BE is 056): check the number with the seller."
        ) % {"value": value, "code": match.group(1)}
    return None
