"""Territories of member states outside the EU VAT area or customs territory.

Where the country code alone cannot say (an ES address may be in the Canary
Islands or Ceuta), the postcode and the city do. The table is data with its
sources (reference/data/territories.csv), read once per process.
"""

import csv
import functools
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

TERRITORIES_CSV = Path(__file__).resolve().parent / "data" / "territories.csv"


@dataclass(frozen=True, slots=True)
class Territory:
    """A territory with its own customs or VAT status, and where the law says so."""

    code: str
    name: str
    member_state: str  # the ISO code of the member state it belongs to or is tied to
    iso_code: str  # its own ISO 3166 code, when it has one (GP, AX, FO...)
    postcode_prefixes: tuple[str, ...]
    cities: frozenset[str]
    in_customs_territory: bool
    in_vat_area: bool
    valid_from: date
    legal_source: str
    confidence: str


def _fold(text: str) -> str:
    """Lower case, no accents, no punctuation: 'Büsingen' == 'busingen'."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if c.isalnum())


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


@functools.lru_cache(maxsize=1)
def territories() -> tuple[Territory, ...]:
    """Every territory of the table."""
    with TERRITORIES_CSV.open(newline="", encoding="utf-8") as file:
        return tuple(
            Territory(
                code=row["code"],
                name=row["name"],
                member_state=row["member_state"],
                iso_code=row["iso_code"],
                postcode_prefixes=tuple(row["postcode_prefixes"].split()),
                cities=frozenset(_fold(c) for c in row["cities"].split("|") if c),
                in_customs_territory=_bool(row["in_customs_territory"]),
                in_vat_area=_bool(row["in_vat_area"]),
                valid_from=date.fromisoformat(row["valid_from"]),
                legal_source=row["legal_source"],
                confidence=row["confidence"],
            )
            for row in csv.DictReader(file)
        )


@functools.lru_cache(maxsize=1)
def territory_codes() -> frozenset[str]:
    """The territories' own ISO codes (GP, AX, FO...)."""
    return frozenset(t.iso_code for t in territories() if t.iso_code)


@functools.lru_cache(maxsize=4096)
def territory_of(country: str, postcode: str = "", city: str = "") -> Territory | None:
    """The special territory an address is in, or None for the ordinary territory
    of its country. Its own ISO code wins, then the longest postcode prefix, then
    the city's name."""
    country = country.strip().upper()
    by_country = [t for t in territories() if t.member_state == country]
    for territory in territories():
        if territory.iso_code and territory.iso_code == country:
            return territory
    if not by_country:
        return None
    code = "".join(c for c in postcode.upper() if c.isalnum())
    if code.startswith(country) and country != "FO":
        code = code[len(country) :]  # "DE-27498", "FI22100"
    best: Territory | None = None
    best_length = 0
    for territory in by_country:
        for prefix in territory.postcode_prefixes:
            if code.startswith(prefix) and len(prefix) > best_length:
                best, best_length = territory, len(prefix)
    if best is not None:
        return best
    if not code:
        folded = _fold(city)
        for territory in by_country:
            if folded and folded in territory.cities:
                return territory
    return None
