"""Format checks for declared values, shared by the web forms and the API.

Each validator normalises first (users type spaces, dashes and lower case), then
checks the format; customs law is the rule book's job, not theirs.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.eori import eori_problem, normalise_eori
from declarations.identifiers import ioss_problem, normalise_ioss
from reference.selectors import country_codes, currency_codes, iata_airport_exists
from shipments.awb import mawb_problem, normalise_mawb

FLIGHT_PATTERN = re.compile(r"^[A-Z0-9]{2}[A-Z]?\d{1,4}[A-Z]?$")


def normalise_code(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def normalise_hs_code(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def _raise(problem: str | None) -> None:
    if problem:
        raise ValidationError(problem)


def validate_eori(value: str) -> None:
    """A consignee's EORI: well formed, whichever country issued it (only a
    declarant's or representative's must be EU-issued: accounts.eori)."""
    _raise(eori_problem(normalise_eori(value), eu_issued=False))


def validate_ioss(value: str) -> None:
    _raise(ioss_problem(normalise_ioss(value)))


def validate_mawb(value: str) -> None:
    _raise(mawb_problem(normalise_mawb(value)))


def validate_country(value: str) -> None:
    code = normalise_code(value)
    if code not in country_codes():
        raise ValidationError(
            _(
                "'%(value)s' is not a country code: use the 2-letter ISO code, "
                "e.g. BE or CN."
            )
            % {"value": value}
        )


def validate_currency(value: str) -> None:
    code = normalise_code(value)
    if code not in currency_codes():
        raise ValidationError(
            _(
                "'%(value)s' is not a currency code: use the 3-letter ISO code, "
                "e.g. EUR or CNY."
            )
            % {"value": value}
        )


def validate_airport(value: str) -> None:
    code = normalise_code(value)
    if not iata_airport_exists(code):
        raise ValidationError(
            _(
                "'%(value)s' is not an IATA airport code: use 3 letters, "
                "e.g. LGG or CGO."
            )
            % {"value": value}
        )


def validate_flight_number(value: str) -> None:
    if not FLIGHT_PATTERN.match(normalise_code(value)):
        raise ValidationError(
            _(
                "'%(value)s' is not a flight number: airline code and number, "
                "e.g. CK251."
            )
            % {"value": value}
        )


def validate_hs_code(value: str) -> None:
    code = normalise_hs_code(value)
    if not code.isdigit() or len(code) not in (6, 8, 10):
        raise ValidationError(
            _(
                "An HS code is 6 digits (8 or 10 for an H1), e.g. 610910; dots and "
                "spaces are ignored."
            )
        )
