"""Tests of the reference loaders: HS nomenclature, countries, currencies."""

from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.db.models.expressions import RawSQL

from reference.models import Country, Currency, HsCode
from reference.services import (
    reference_load_all,
    reference_load_countries,
    reference_load_currencies,
    reference_load_hs,
)

pytestmark = pytest.mark.django_db


def _row_versions() -> dict[str, set]:
    # A row's ctid changes on every UPDATE, even one writing identical values.
    return {
        model.__name__: set(
            model.objects.annotate(version=RawSQL("ctid::text", [])).values_list(
                "pk", "version"
            )
        )
        for model in (HsCode, Country, Currency)
    }


def test_first_load_writes_every_table(loaded_reference: dict[str, int]) -> None:
    """A first load writes the whole HS 2022 nomenclature, countries, currencies."""
    assert loaded_reference == {
        "hs_codes": HsCode.objects.count(),
        "countries": Country.objects.count(),
        "currencies": Currency.objects.count(),
    }
    # UN Comtrade's 999999 "not specified" is no HS subheading: 5,612 of 5,613.
    assert HsCode.objects.filter(level=6).count() == 5612
    assert HsCode.objects.filter(level=2).count() == 96
    assert not HsCode.objects.filter(code__startswith="99").exists()
    assert Country.objects.count() > 240
    assert Currency.objects.count() > 150


def test_second_load_changes_nothing(loaded_reference: dict[str, int]) -> None:
    """Loading again adds no rows and rewrites none: every loader reports 0."""
    counts = {m: m.objects.count() for m in (HsCode, Country, Currency)}
    versions = _row_versions()

    assert reference_load_all() == {"hs_codes": 0, "countries": 0, "currencies": 0}

    assert {m: m.objects.count() for m in (HsCode, Country, Currency)} == counts
    assert _row_versions() == versions


def test_load_repairs_a_changed_row(loaded_reference: dict[str, int]) -> None:
    """A row edited behind the loader's back is put back by the next load."""
    HsCode.objects.filter(code="610910").update(description="changed")
    Country.objects.filter(code="BE").update(is_eu_member=False)

    assert reference_load_hs() == 1
    assert reference_load_countries() == 1
    assert reference_load_currencies() == 0
    assert HsCode.objects.get(code="610910").description.startswith("T-shirts")
    assert Country.objects.get(code="BE").is_eu_member


def test_hs_2022_has_610910_and_no_chapter_77(loaded_reference: dict[str, int]) -> None:
    """HS 610910 (cotton T-shirts) exists; 7701 does not: chapter 77 is unused."""
    tshirts = HsCode.objects.get(edition="HS2022", code="610910")
    assert tshirts.level == 6
    assert tshirts.parent_code == "6109"
    assert tshirts.section == "XI"
    assert not HsCode.objects.filter(code="7701").exists()
    assert not HsCode.objects.filter(code__startswith="77").exists()


def test_hs_total_row_is_skipped(loaded_reference: dict[str, int]) -> None:
    """The CSV's "TOTAL" row is not a code; chapters have no parent code."""
    assert not HsCode.objects.filter(code="TOTAL").exists()
    chapter = HsCode.objects.get(code="61")
    assert chapter.parent_code == ""
    assert chapter.valid_from.isoformat() == "2022-01-01"
    assert chapter.valid_to is None


def test_hs_load_from_another_file(tmp_path: Path) -> None:
    """A CSV in the same layout can be loaded instead of the shipped file."""
    path = tmp_path / "hs.csv"
    path.write_text(
        "section,hscode,description,parent,level\n"
        "TOTAL,TOTAL,Total of all HS2022 commodities,TOTAL,5\n"
        "XI,61,Apparel; knitted,TOTAL,2\n"
        "XI,6109,T-shirts; knitted,61,4\n",
        encoding="utf-8",
    )

    assert reference_load_hs(path=path) == 2
    assert reference_load_hs(path=path) == 0
    assert set(HsCode.objects.values_list("code", flat=True)) == {"61", "6109"}


@pytest.mark.parametrize(
    ("code", "level"),
    [("123", 4), ("6109", 3), ("61A9", 4), ("6109", 6)],
)
def test_database_rejects_malformed_hs_codes(code: str, level: int) -> None:
    """The database refuses a code that is not 2, 4 or 6 digits matching its level."""
    with pytest.raises(IntegrityError), transaction.atomic():
        HsCode.objects.create(
            edition="HS2022",
            code=code,
            level=level,
            description="x",
            valid_from="2022-01-01",
        )


def test_countries_include_belgium_and_northern_ireland(
    loaded_reference: dict[str, int],
) -> None:
    """BE is an EU member state, CN is not; XI is in the VAT area, not the EU."""
    belgium = Country.objects.get(code="BE")
    china = Country.objects.get(code="CN")
    northern_ireland = Country.objects.get(code="XI")

    assert belgium.is_eu_member
    assert belgium.in_eu_vat_area
    assert belgium.numeric == "056"
    assert not china.is_eu_member
    assert not china.in_eu_vat_area
    assert not northern_ireland.is_eu_member
    assert northern_ireland.in_eu_vat_area
    assert northern_ireland.numeric == "900"
    assert Country.objects.filter(is_eu_member=True).count() == 27
    assert Country.objects.get(code="GR").is_eu_member


def test_countries_without_postcodes_are_marked(
    loaded_reference: dict[str, int],
) -> None:
    """Hong Kong and the UAE have no postcodes; Belgium and China do."""
    assert not Country.objects.get(code="HK").has_postcodes
    assert not Country.objects.get(code="AE").has_postcodes
    assert Country.objects.get(code="BE").has_postcodes
    assert Country.objects.get(code="CN").has_postcodes


def test_currencies_include_euro_and_yuan(loaded_reference: dict[str, int]) -> None:
    """ISO 4217 currencies are loaded with their numeric codes."""
    assert Currency.objects.get(code="EUR").numeric == "978"
    assert Currency.objects.get(code="CNY").numeric == "156"
