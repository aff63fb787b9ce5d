"""Air waybill numbers (IATA Resolution 600a): normalise and check."""

import re

from django.utils.translation import gettext as _

MAWB_PATTERN = re.compile(r"^(\d{3})-?(\d{8})$")


def normalise_mawb(value: str) -> str:
    """`172 1234 5675`, `17212345675` and `172-12345675` all become `172-12345675`."""
    compact = re.sub(r"[\s.\-]", "", value or "")
    if len(compact) == 11 and compact.isdigit():
        return f"{compact[:3]}-{compact[3:]}"
    return (value or "").strip().upper()


def mawb_problem(value: str) -> str | None:
    """Why `value` (normalised) is not a master AWB number, or None.

    An AWB is a 3-digit airline prefix and an 8-digit serial whose last digit is
    the first seven modulo 7 (IATA Resolution 600a, Cargo Services Conference).
    """
    match = MAWB_PATTERN.match(value)
    if not match:
        return _(
            "A master AWB is a 3-digit airline prefix and 8 digits, e.g. "
            "172-12345675; '%(value)s' is not."
        ) % {"value": value}
    serial = match.group(2)
    expected = int(serial[:7]) % 7
    if int(serial[7]) != expected:
        return _(
            "The check digit of master AWB %(value)s is wrong: the last digit must be "
            "the first seven digits modulo 7, which is %(expected)s. Check the number "
            "on the air waybill."
        ) % {"value": value, "expected": expected}
    return None
