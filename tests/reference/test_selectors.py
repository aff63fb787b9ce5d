"""Tests of the reference reads and their per-process caches."""

from datetime import date

import pytest

from reference.models import Country
from reference.selectors import (
    countries_without_postcodes,
    country_codes,
    currency_codes,
    eu_vat_area_countries,
    hs_codes_in_force,
    hs_description,
    iata_airport_exists,
    reference_cache_clear,
    reference_is_loaded,
)
from reference.services import reference_load_countries

pytestmark = pytest.mark.django_db


def test_hs_codes_in_force_follow_the_edition_dates(
    loaded_reference: dict[str, int],
) -> None:
    """HS 2022 codes are in force from 1 January 2022, not the day before."""
    in_force = hs_codes_in_force(on=date(2026, 7, 1))
    assert {"61", "6109", "610910"} <= in_force
    assert "7701" not in in_force
    assert hs_codes_in_force(on=date(2021, 12, 31)) == frozenset()


def test_hs_description(loaded_reference: dict[str, int]) -> None:
    """A known code has its description; an unknown one has None."""
    assert hs_description("610910").startswith("T-shirts, singlets")
    assert hs_description("7701") is None


def test_country_sets(loaded_reference: dict[str, int]) -> None:
    """Country, VAT-area, no-postcode and currency sets come from the tables."""
    assert {"BE", "CN", "XI"} <= country_codes()
    assert "XI" in eu_vat_area_countries()
    assert "BE" in eu_vat_area_countries()
    assert "CN" not in eu_vat_area_countries()
    assert len(eu_vat_area_countries()) == 28
    assert "HK" in countries_without_postcodes()
    assert "BE" not in countries_without_postcodes()
    assert {"EUR", "USD", "CNY"} <= currency_codes()


def test_reference_is_loaded() -> None:
    """The reference data counts as loaded once HS codes and countries exist."""
    assert not reference_is_loaded()
    reference_load_countries()
    assert not reference_is_loaded()


def test_reference_is_loaded_after_full_load(loaded_reference: dict[str, int]) -> None:
    """After `load_reference` the reference data counts as loaded."""
    assert reference_is_loaded()


def test_an_empty_answer_is_not_cached() -> None:
    """Sets read before the first load are re-read once the data is there."""
    assert country_codes() == frozenset()
    reference_load_countries()
    assert "BE" in country_codes()


def test_loaded_sets_are_cached_until_cleared(
    loaded_reference: dict[str, int],
) -> None:
    """A set is read once per process; reference_cache_clear forgets it."""
    assert "BE" in country_codes()
    Country.objects.filter(code="BE").delete()
    assert "BE" in country_codes()
    reference_cache_clear()
    assert "BE" not in country_codes()


def test_a_load_refreshes_the_cache(loaded_reference: dict[str, int]) -> None:
    """A loader clears the caches, so a repaired row shows at once."""
    Country.objects.filter(code="XI").update(in_eu_vat_area=False)
    reference_cache_clear()
    assert "XI" not in eu_vat_area_countries()
    reference_load_countries()
    assert "XI" in eu_vat_area_countries()


@pytest.mark.parametrize("code", ["LGG", "CGO", "HGH", "PVG", "CAN", "SZX", " lgg "])
def test_known_airports_exist(code: str) -> None:
    """The airports the portal deals with are known IATA codes."""
    assert iata_airport_exists(code)


def test_unknown_airport_does_not_exist() -> None:
    """A code that is no IATA airport is refused."""
    assert not iata_airport_exists("XXX")
