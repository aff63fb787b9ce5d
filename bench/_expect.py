"""What duty, import VAT and fees an H7 at Liège owes, computed from the law
alone, for the held-out benchmarks (bench/verdicts.py, bench/manifest_eu.py).

Written outside the portal's pricing code and without reading it: this is the
auditor's yardstick the portal's amounts are compared with.

- Duty on a consignment of EUR 150 or less: EUR 3 per distinct tariff
  subheading (6-digit HS) from 1 July 2026, zero before (Council Regulation
  (EU) 2026/382; before it the relief of Art. 23 Council Regulation 1186/2009).
  Five T-shirts = EUR 3; a T-shirt and a watch = EUR 6. [H]
- Import VAT: none on the IOSS path (VAT Directive Art. 143(1)(ca)). Otherwise
  Belgian VAT (the member state of import, VAT Directive Art. 60-61) on the
  customs value + duty + transport and insurance to the place of destination
  (Art. 85-86), rounded once, half up, to the cent. Under the special
  arrangements Belgium applies its standard rate (Art. 369zb). [H principle]
  Belgian reduced rates from Royal Decree No. 20, tables A and B: books and
  picture books 6 %, water 6 %, margarine 12 %. [M, secondary sources]
- Fees: no national fee is charged at Liège (Belgium dropped its planned
  EUR 2 parcel fee for the EU duty; France's and Romania's fees are theirs, not
  Belgium's) and the EU handling fee has no legal act in force. [M]
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LOW_VALUE_DUTY_FROM = date(2026, 7, 1)
LOW_VALUE_DUTY = Decimal("3.00")
LOW_VALUE_LIMIT = Decimal("150.00")
BE_STANDARD_RATE = Decimal("21")
# HS prefix -> Belgian rate (%), Royal Decree No. 20 (secondary: becompliant.tax,
# thevatman.eu, marosavat.com "Belgian VAT rates", all quoting RD 20).
BE_REDUCED_RATES = {
    "4901": Decimal("6"),  # printed books, brochures (table A, XXIII)
    "4903": Decimal("6"),  # children's picture, drawing or colouring books
    "2201": Decimal("6"),  # waters, not sweetened (table A, water supplies)
    "151710": Decimal("12"),  # margarine (table B, category VI)
}
# Member states of the EU and XI (Northern Ireland, Windsor Framework).
MEMBER_STATES = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE "
    "SI SK"
).split()
DESTINATIONS = (*MEMBER_STATES, "XI")


def money(value) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def hs6(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())[:6]


def low_value_duty(hs_codes, on: date) -> Decimal:
    """EUR 3 per distinct 6-digit subheading from 1 July 2026."""
    if on < LOW_VALUE_DUTY_FROM:
        return ZERO
    return LOW_VALUE_DUTY * len({hs6(code) for code in hs_codes})


def belgian_rate(hs_code: str, vat_path: str) -> Decimal:
    if vat_path == "SPECIAL":
        return BE_STANDARD_RATE
    digits = hs6(hs_code)
    for prefix in sorted(BE_REDUCED_RATES, key=len, reverse=True):
        if digits.startswith(prefix):
            return BE_REDUCED_RATES[prefix]
    return BE_STANDARD_RATE


def h7_amounts(items, *, vat_path: str, on: date, transport="0", insurance="0"):
    """(duty, import VAT, fees) as two-decimal strings for an H7 at LGG.

    items: (hs_code, value in EUR) pairs. One VAT rate per consignment: a
    consignment that mixes rates is not something these benchmarks write.
    """
    duty = low_value_duty([hs for hs, _ in items], on)
    if vat_path == "IOSS":
        return money(duty), money(ZERO), money(ZERO)
    rates = {belgian_rate(hs, vat_path) for hs, _ in items}
    if len(rates) != 1:
        raise ValueError(f"mixed VAT rates {sorted(rates)}: split the case")
    base = sum((Decimal(str(v)) for _, v in items), ZERO) + duty
    base += Decimal(str(transport)) + Decimal(str(insurance))
    vat = rates.pop() * base / 100
    return money(duty), money(vat), money(ZERO)


def gtin13(n: int) -> str:
    """A GTIN-13 (prefix 690, China) with a correct check digit (GS1 General
    Specifications 7.9): what the benchmarks write as a manufacturer's product
    identifier."""
    body = f"690{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)
