"""Loaders that write the reference data: HS nomenclature, countries, currencies."""

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import pycountry
from django.db import models, transaction

from reference.models import Country, Currency, HsCode
from reference.selectors import reference_cache_clear

DATA_DIR = Path(__file__).resolve().parent / "data"
HS2022_CSV = DATA_DIR / "hs2022" / "harmonized-system.csv"
HS2022_EDITION = "HS2022"
HS2022_VALID_FROM = date(2022, 1, 1)

# The 27 member states; Greece is GR in ISO 3166 (EL only in VAT numbers).
# fmt: off
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
    "SK",
})
# fmt: on

# Northern Ireland: not a member state, but inside the EU VAT area for goods
# (Windsor Framework); "XI" is its code in EU customs and VAT systems and 900
# the numeric code used in IOSS numbers.
NORTHERN_IRELAND = {"code": "XI", "name": "Northern Ireland", "numeric": "900"}

# Countries whose addresses carry no postal code, so a consignee's postcode
# must not be required there. Compiled from the Universal Postal Union's
# addressing information and the lists in common use by carriers and address
# libraries. It is data maintained by hand, not a rule: a country that
# introduces postcodes is removed here and `load_reference` is run again.
# fmt: off
COUNTRIES_WITHOUT_POSTCODES = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF",
    "CG", "CI", "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ",
    "GY", "HK", "KI", "KM", "KN", "KP", "ML", "MO", "MR", "MW", "NR", "NU", "QA",
    "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL",
    "TO", "TV", "UG", "VU", "YE", "ZW",
})
# fmt: on

M = TypeVar("M", bound=models.Model)


def _sync(
    *,
    model: type[M],
    rows: Iterable[M],
    existing: Iterable[M],
    key: Callable[[M], tuple],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Write the rows that are new or differ from what is stored; return how many.

    Comparing first keeps a rerun free of writes; the upsert makes a concurrent
    load update instead of failing on the unique key.
    """
    stored = {key(obj): obj for obj in existing}
    changed = []
    for row in rows:
        current = stored.get(key(row))
        if current is None or any(
            getattr(current, field) != getattr(row, field) for field in update_fields
        ):
            changed.append(row)
    model.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )
    return len(changed)


def _after_load() -> None:
    # Clear now for this process (it sees its own uncommitted rows) and again
    # on commit, in case another thread cached the old data meanwhile.
    reference_cache_clear()
    transaction.on_commit(reference_cache_clear)


def _hs_rows(path: Path) -> list[HsCode]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as file:
        for record in csv.DictReader(file):
            code = record["hscode"].strip()
            section = record["section"].strip()
            if not code.isdigit() or section == "TOTAL":
                # UN Comtrade's aggregates: all commodities, and 99/9999/999999
                # "commodities not specified", which are not part of the HS.
                continue
            parent = record["parent"].strip()
            rows.append(
                HsCode(
                    edition=HS2022_EDITION,
                    code=code,
                    level=int(record["level"]),
                    description=record["description"].strip(),
                    parent_code=parent if parent.isdigit() else "",
                    section=section,
                    valid_from=HS2022_VALID_FROM,
                    valid_to=None,
                )
            )
    return rows


def reference_load_hs(*, path: Path | None = None) -> int:
    """Load the HS 2022 nomenclature from its CSV; return rows created or changed.

    Codes no longer in the file are kept: stored declarations may cite them.
    """
    rows = _hs_rows(path or HS2022_CSV)
    with transaction.atomic():
        written = _sync(
            model=HsCode,
            rows=rows,
            existing=HsCode.objects.filter(edition=HS2022_EDITION),
            key=lambda obj: (obj.edition, obj.code),
            unique_fields=["edition", "code"],
            update_fields=[
                "level",
                "description",
                "parent_code",
                "section",
                "valid_from",
                "valid_to",
            ],
        )
    _after_load()
    return written


def _country_rows() -> list[Country]:
    sources = [
        {"code": c.alpha_2, "name": c.name, "numeric": getattr(c, "numeric", "")}
        for c in pycountry.countries
    ]
    sources.append(NORTHERN_IRELAND)
    return [
        Country(
            code=source["code"],
            name=source["name"],
            numeric=source["numeric"],
            is_eu_member=source["code"] in EU_MEMBER_STATES,
            in_eu_vat_area=(
                source["code"] in EU_MEMBER_STATES
                or source["code"] == NORTHERN_IRELAND["code"]
            ),
            has_postcodes=source["code"] not in COUNTRIES_WITHOUT_POSTCODES,
        )
        for source in sources
    ]


def reference_load_countries() -> int:
    """Load ISO 3166-1 countries from pycountry plus XI; return rows written."""
    with transaction.atomic():
        written = _sync(
            model=Country,
            rows=_country_rows(),
            existing=Country.objects.all(),
            key=lambda obj: (obj.code,),
            unique_fields=["code"],
            update_fields=[
                "name",
                "numeric",
                "is_eu_member",
                "in_eu_vat_area",
                "has_postcodes",
            ],
        )
    _after_load()
    return written


def reference_load_currencies() -> int:
    """Load ISO 4217 currencies from pycountry; return rows created or changed."""
    rows = [
        Currency(code=c.alpha_3, name=c.name, numeric=getattr(c, "numeric", ""))
        for c in pycountry.currencies
    ]
    with transaction.atomic():
        written = _sync(
            model=Currency,
            rows=rows,
            existing=Currency.objects.all(),
            key=lambda obj: (obj.code,),
            unique_fields=["code"],
            update_fields=["name", "numeric"],
        )
    _after_load()
    return written


def reference_load_all() -> dict[str, int]:
    """Load every reference table in one transaction; rows written per table."""
    with transaction.atomic():
        return {
            "hs_codes": reference_load_hs(),
            "countries": reference_load_countries(),
            "currencies": reference_load_currencies(),
        }
