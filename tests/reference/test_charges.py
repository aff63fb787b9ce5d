"""The dated charge lines: CSV loader, database constraints and in-force selector."""

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from reference.charges import (
    CHARGES_CSV,
    ChargeLineData,
    charge_lines_in_force,
    charges_load,
    charges_read,
)
from reference.models import ChargeLine

pytestmark = pytest.mark.django_db

SEEDED_COUNT = len(CHARGES_CSV.read_text(encoding="utf-8").strip().splitlines()) - 1


def _codes(lines: tuple[ChargeLineData, ...]) -> set[str]:
    return {line.code for line in lines}


def _csv_with(tmp_path: Path, old: str, new: str) -> Path:
    text = CHARGES_CSV.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "charges.csv"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_load_writes_every_seeded_line_once():
    """A first load writes every line of the CSV; a second writes nothing."""
    assert charges_load() == SEEDED_COUNT
    assert ChargeLine.objects.count() == SEEDED_COUNT
    assert charges_load() == 0
    assert ChargeLine.objects.count() == SEEDED_COUNT


def test_load_updates_a_changed_line_in_place(tmp_path):
    """A line whose rate changed in the file is updated, keyed by code + valid_from."""
    charges_load()
    path = _csv_with(
        tmp_path,
        'HS chapter 64 (footwear), indicative",,64,percent,,,17,',
        'HS chapter 64 (footwear), indicative",,64,percent,,,16.9,',
    )
    assert charges_load(path=path) == 1
    assert ChargeLine.objects.count() == SEEDED_COUNT
    assert ChargeLine.objects.get(code="DUTY-AV-64").rate == Decimal("16.9")


def test_load_adds_a_new_dated_version_of_a_line(tmp_path):
    """A rate change is a new row with a later valid_from; the old one is kept."""
    charges_load()
    text = CHARGES_CSV.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("VAT-BE-STD,"))
    ended = old.replace("1996-01-01,,", "1996-01-01,2029-12-31,")
    new = old.replace(",21,any,1996-01-01,,", ",22,any,2030-01-01,,")
    path = tmp_path / "charges.csv"
    path.write_text(text.replace(old, f"{ended}\n{new}"), encoding="utf-8")

    assert charges_load(path=path) == 2

    def vat_rate(on: date) -> Decimal | None:
        lines = charge_lines_in_force(on=on, country="BE")
        return next(line.rate for line in lines if line.code == "VAT-BE-STD")

    assert vat_rate(date(2029, 12, 31)) == Decimal(21)
    assert vat_rate(date(2030, 1, 1)) == Decimal(22)


def test_load_refuses_an_unknown_kind(tmp_path):
    """A typo in a kind is reported with the line's code, and nothing is written."""
    path = _csv_with(tmp_path, "FEE-FR-LVC,fee,", "FEE-FR-LVC,fees,")
    with pytest.raises(ValueError, match="FEE-FR-LVC"):
        charges_load(path=path)
    assert not ChargeLine.objects.exists()


def test_selector_returns_frozen_plain_values():
    """The selector gives frozen dataclasses, not model instances."""
    charges_load()
    lines = charge_lines_in_force(on=date(2026, 7, 1), country="BE")
    assert lines and all(type(line) is ChargeLineData for line in lines)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lines[0].code = "X"  # type: ignore[misc]
    vat = next(line for line in lines if line.code == "VAT-BE-STD")
    assert (vat.rate, vat.amount) == (Decimal(21), None)


def test_low_value_duty_is_dated():
    """EUR 3 per subheading is in force 1 Jul 2026 to 30 Jun 2028, relief before."""
    charges_load()
    assert "DUTY-LVC-RELIEF" in _codes(
        charge_lines_in_force(on=date(2026, 6, 30), country="BE")
    )
    for on in (date(2026, 7, 1), date(2028, 6, 30)):
        codes = _codes(charge_lines_in_force(on=on, country="BE"))
        assert "DUTY-LVC-3EUR" in codes
        assert "DUTY-LVC-RELIEF" not in codes
    after = _codes(charge_lines_in_force(on=date(2028, 7, 1), country="BE"))
    assert "DUTY-LVC-3EUR" not in after


def test_national_lines_only_for_their_country():
    """France's fee and VAT are in force for FR only, and only from their dates."""
    charges_load()
    france = _codes(charge_lines_in_force(on=date(2026, 3, 1), country="fr"))
    assert {"FEE-FR-LVC", "VAT-FR-STD"} <= france
    assert "VAT-BE-STD" not in france
    before = _codes(charge_lines_in_force(on=date(2026, 2, 28), country="FR"))
    assert "FEE-FR-LVC" not in before
    belgium = _codes(charge_lines_in_force(on=date(2026, 7, 1), country="BE"))
    assert not {"FEE-FR-LVC", "FEE-RO-PARCEL", "VAT-FR-STD"} & belgium
    assert "DUTY-AV-DEFAULT" in belgium  # EU-wide lines apply everywhere


def test_unconfirmed_fee_is_stored_but_never_in_force():
    """The announced EU handling fee is stored inactive and never selected."""
    charges_load()
    fee = ChargeLine.objects.get(code="FEE-EU-HANDLING")
    assert not fee.is_active
    assert fee.confidence == "L"
    assert "FEE-EU-HANDLING" not in _codes(
        charge_lines_in_force(on=date(2027, 1, 1), country="BE")
    )


def test_loader_clears_the_cached_selection(tmp_path):
    """A load is seen by the next selection in the same process."""
    charges_load()
    assert charge_lines_in_force(on=date(2026, 7, 1), country="BE")
    path = _csv_with(
        tmp_path,
        'Belgium, standard rate",BE,,percent,,,21,',
        'Belgium, standard rate",BE,,percent,,,22,',
    )
    charges_load(path=path)
    lines = charge_lines_in_force(on=date(2026, 7, 1), country="BE")
    assert next(line.rate for line in lines if line.code == "VAT-BE-STD") == Decimal(22)


def test_selector_reads_the_table_once(django_assert_num_queries):
    """Selections for many dates and countries cost one query per process."""
    charges_load()
    with django_assert_num_queries(1):
        for on in (date(2026, 1, 1), date(2026, 7, 1), date(2028, 7, 1)):
            for country in ("BE", "FR", "RO"):
                charge_lines_in_force(on=on, country=country)


def test_seeded_lines_read_from_the_csv_match_the_stored_ones():
    """What the pure code reads from the CSV is what the database returns."""
    charges_load()
    on = date(2026, 11, 1)
    from_csv = {
        line.code: line
        for line in charges_read()
        if line.in_force(on=on) and line.covers(country="RO")
    }
    stored = {line.code: line for line in charge_lines_in_force(on=on, country="RO")}
    assert from_csv == stored


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"valid_to": date(2020, 1, 1)}, "valid_to_after_from"),
        ({"amount": Decimal(-1)}, "amount_not_negative"),
        (
            {"basis": "percent", "amount": None, "rate": Decimal(-1)},
            "rate_not_negative",
        ),
        ({"rate": Decimal(5)}, "rate_or_amount"),
    ],
)
def test_database_refuses_impossible_lines(change, constraint):
    """The database refuses a line ending before it starts or a negative charge."""
    values = {
        "code": "FEE-TEST",
        "kind": "fee",
        "label": "Test fee",
        "basis": "per_consignment",
        "amount": Decimal(1),
        "amount_currency": "EUR",
        "valid_from": date(2026, 1, 1),
        "legal_source": "Test",
        "confidence": "L",
        **change,
    }
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        ChargeLine.objects.create(**values)
