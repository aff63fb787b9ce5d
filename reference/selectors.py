"""Reads of reference data, cached per process as frozen sets for fast checks."""

import functools
from collections.abc import Callable, Sized
from dataclasses import dataclass
from datetime import date, datetime
from typing import ParamSpec, TypeVar

import airportsdata
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reference.models import Country, Currency, HsCode, SanctionsList

P = ParamSpec("P")
R = TypeVar("R", bound=Sized)

_CACHES: list[Callable[[], None]] = []


def _process_cached(func: Callable[P, R]) -> Callable[P, R]:
    """Cache a read for the life of the process, unless it came back empty.

    An empty answer means the reference data is not loaded yet; caching it
    would make a process started before `load_reference` reject every code
    until it restarts.
    """
    cached = functools.lru_cache(maxsize=64)(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        result = cached(*args, **kwargs)
        if not len(result):
            cached.cache_clear()
        return result

    _CACHES.append(cached.cache_clear)
    return wrapper


def reference_cache_clear() -> None:
    """Forget every cached reference set in this process (after a load)."""
    for cache_clear in _CACHES:
        cache_clear()


@_process_cached
def _hs_codes_of_editions(editions: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        HsCode.objects.filter(edition__in=editions).values_list("code", flat=True)
    )


@_process_cached
def _hs_editions() -> tuple[tuple[str, date, date | None], ...]:
    return tuple(
        HsCode.objects.order_by("edition")
        .values_list("edition", "valid_from", "valid_to")
        .distinct()
    )


def hs_codes_in_force(*, on: date) -> frozenset[str]:
    """The 2-, 4- and 6-digit HS codes of every edition in force on `on`."""
    editions = tuple(
        sorted(
            {
                edition
                for edition, valid_from, valid_to in _hs_editions()
                if valid_from <= on and (valid_to is None or valid_to >= on)
            }
        )
    )
    if not editions:
        return frozenset()
    return _hs_codes_of_editions(editions)


def hs_description(code: str) -> str | None:
    """The description of an HS code in its most recent edition, or None."""
    return (
        HsCode.objects.filter(code=code)
        .order_by("-valid_from")
        .values_list("description", flat=True)
        .first()
    )


@_process_cached
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 country code, plus XI (Northern Ireland)."""
    return frozenset(Country.objects.values_list("code", flat=True))


@_process_cached
def eu_vat_area_countries() -> frozenset[str]:
    """The 27 member states and XI: the EU VAT area for goods."""
    return frozenset(
        Country.objects.filter(in_eu_vat_area=True).values_list("code", flat=True)
    )


@_process_cached
def countries_without_postcodes() -> frozenset[str]:
    """Countries whose addresses have no postcode, so none may be required."""
    return frozenset(
        Country.objects.filter(has_postcodes=False).values_list("code", flat=True)
    )


@_process_cached
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 alphabetic currency code."""
    return frozenset(Currency.objects.values_list("code", flat=True))


def reference_is_loaded() -> bool:
    """True when the HS nomenclature and the countries have been loaded."""
    return HsCode.objects.exists() and Country.objects.exists()


@functools.lru_cache(maxsize=1)
def _iata_airports() -> dict[str, dict]:
    return airportsdata.load("IATA")


def iata_airport_exists(code: str) -> bool:
    """True when `code` is a known IATA airport code (LGG, CGO, PVG...)."""
    return code.strip().upper() in _iata_airports()


@functools.lru_cache(maxsize=256)
def airport_country(code: str) -> str:
    """The ISO country of an IATA airport (LGG -> BE), or "" when unknown."""
    airport = _iata_airports().get(code.strip().upper())
    return airport["country"] if airport else ""


@functools.lru_cache(maxsize=1)
def iata_airport_codes() -> frozenset[str]:
    """Every IATA airport code airportsdata knows."""
    return frozenset(_iata_airports())


def hs_search(*, text: str, on: date, level: int | None = None):
    """HS codes in force whose code starts with `text` (digits), or whose
    description holds every word of it."""
    codes = HsCode.objects.filter(valid_from__lte=on).exclude(valid_to__lt=on)
    compact = text.replace(".", "").replace(" ", "")
    if compact.isdigit():
        codes = codes.filter(code__startswith=compact)
    else:
        for word in text.split():
            codes = codes.filter(description__icontains=word)
    if level:
        codes = codes.filter(level=level)
    return codes


# --- Sanctions lists: which are loaded, and how old they are ------------------

SANCTIONS_SHORT_NAMES = {
    SanctionsList.Source.OFAC_SDN: "OFAC",
    SanctionsList.Source.EU_FSF: "EU",
}


@dataclass(frozen=True)
class SanctionsListFreshness:
    """One source's active list, as officers are told about it."""

    source: str
    name: str
    published_on: date | None
    imported_at: datetime | None
    entries: int
    age_days: int | None
    max_age_days: int

    @property
    def loaded(self) -> bool:
        return self.published_on is not None

    @property
    def stale(self) -> bool:
        """Not loaded, or published longer ago than the allowed age."""
        return not self.loaded or self.age_days > self.max_age_days

    def __str__(self) -> str:
        if not self.loaded:
            return _("%(name)s list not loaded") % {"name": self.name}
        return _("%(name)s list of %(date)s") % {
            "name": self.name,
            "date": date_format(self.published_on, "j F Y"),
        }


def sanctions_lists_freshness(
    *, today: date, max_age_days: int
) -> list[SanctionsListFreshness]:
    """Each source's active list (or that none is loaded), oldest source first.

    The age counts from the list's publication date, not from its import: an
    old file imported today is still old.
    """
    active = {
        row.source: row for row in SanctionsList.objects.filter(is_active=True)
    }
    found = []
    for source, name in SANCTIONS_SHORT_NAMES.items():
        row = active.get(source)
        found.append(
            SanctionsListFreshness(
                source=source,
                name=name,
                published_on=row.published_on if row else None,
                imported_at=row.imported_at if row else None,
                entries=row.entry_count if row else 0,
                age_days=(today - row.published_on).days if row else None,
                max_age_days=max_age_days,
            )
        )
    return found
