"""Dated duty, VAT and fee lines: the CSV loader and the cached in-force selector."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from reference.models import ChargeLine
from reference.selectors import _process_cached, reference_cache_clear

CHARGES_CSV = Path(__file__).resolve().parent / "data" / "charges.csv"

# Sort order of the lines a selector returns: duty first, then VAT, then fees,
# which is the order a quote computes and shows them in.
_KIND_ORDER = {"duty_low_value": 0, "duty_ad_valorem": 1, "vat": 2, "fee": 3}


@dataclass(frozen=True, slots=True)
class ChargeLineData:
    """One charge line as plain values, safe to cache and to pass to pure code."""

    code: str
    kind: str
    label: str
    country: str
    hs_prefix: str
    basis: str
    amount: Decimal | None
    amount_currency: str
    rate: Decimal | None  # a percentage: 21 means 21%
    applies_to: str
    valid_from: date
    valid_to: date | None
    legal_source: str
    confidence: str
    indicative: bool
    is_active: bool

    def in_force(self, *, on: date) -> bool:
        """Active and valid on `on` (both ends of the validity included)."""
        return (
            self.is_active
            and self.valid_from <= on
            and (self.valid_to is None or on <= self.valid_to)
        )

    def covers(self, *, country: str) -> bool:
        """True for lines of the whole EU (blank country) or of `country`."""
        return self.country in ("", country.strip().upper())


_FIELDS = tuple(f.name for f in fields(ChargeLineData))


def _decimal(value: str, *, code: str, column: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ValueError(
            f"Charge {code}: {column} {value!r} is not a number."
        ) from error


def _bool(value: str, *, code: str, column: str) -> bool:
    value = value.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ValueError(f"Charge {code}: {column} {value!r} is not true or false.")


def charges_read(*, path: Path | None = None) -> tuple[ChargeLineData, ...]:
    """Parse the charge lines CSV (reference/data/charges.csv by default)."""
    lines = []
    with (path or CHARGES_CSV).open(newline="", encoding="utf-8-sig") as file:
        for record in csv.DictReader(file):
            code = record["code"].strip()
            valid_to = record["valid_to"].strip()
            lines.append(
                ChargeLineData(
                    code=code,
                    kind=record["kind"].strip(),
                    label=record["label"].strip(),
                    country=record["country"].strip().upper(),
                    hs_prefix=record["hs_prefix"].strip(),
                    basis=record["basis"].strip(),
                    amount=_decimal(record["amount"], code=code, column="amount"),
                    amount_currency=record["amount_currency"].strip().upper(),
                    rate=_decimal(record["rate"], code=code, column="rate"),
                    applies_to=record["applies_to"].strip(),
                    valid_from=date.fromisoformat(record["valid_from"].strip()),
                    valid_to=date.fromisoformat(valid_to) if valid_to else None,
                    legal_source=record["legal_source"].strip(),
                    confidence=record["confidence"].strip().upper(),
                    indicative=_bool(
                        record["indicative"], code=code, column="indicative"
                    ),
                    is_active=_bool(record["is_active"], code=code, column="is_active"),
                )
            )
    return tuple(lines)


def charges_load(*, path: Path | None = None) -> int:
    """Upsert the charge lines of the CSV by code and valid_from; return rows written.

    Unchanged rows are not written, so a rerun writes nothing. Lines no longer in
    the file are kept (stored quotes cite them); end one by giving it a valid_to.
    """
    rows = charges_read(path=path)
    update_fields = [name for name in _FIELDS if name not in ("code", "valid_from")]
    with transaction.atomic():
        stored = {
            (line.code, line.valid_from): line
            for line in ChargeLine.objects.select_for_update()
        }
        changed = []
        for row in rows:
            current = stored.get((row.code, row.valid_from))
            if current is None or any(
                getattr(current, name) != getattr(row, name) for name in update_fields
            ):
                changed.append(
                    ChargeLine(**{name: getattr(row, name) for name in _FIELDS})
                )
        for line in changed:
            _check(line)
        ChargeLine.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["code", "valid_from"],
            update_fields=update_fields,
        )
    # Clear now for this process, and again on commit in case another thread
    # cached the old lines meanwhile.
    charges_cache_clear()
    transaction.on_commit(charges_cache_clear)
    return len(changed)


def _check(line: ChargeLine) -> None:
    # Choices and field formats, with the line's code in the message; the
    # check constraints are left to the database, which enforces them anyway.
    try:
        line.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValueError(f"Charge {line.code}: {error.message_dict}") from error


def _plain(value: Decimal | None) -> Decimal | None:
    # The columns hold 4 decimal places; show 21 and 2.7, not 21.0000 and 2.7000.
    if value is None:
        return None
    return (
        value.quantize(Decimal(1))
        if value == value.to_integral()
        else value.normalize()
    )


def _as_data(line: ChargeLine) -> ChargeLineData:
    values = {name: getattr(line, name) for name in _FIELDS}
    values["amount"] = _plain(line.amount)
    values["rate"] = _plain(line.rate)
    return ChargeLineData(**values)


@_process_cached
def _stored_charge_lines() -> tuple[ChargeLineData, ...]:
    return tuple(_as_data(line) for line in ChargeLine.objects.all())


def charges_cache_clear() -> None:
    """Forget the cached charge lines of this process (the loader calls it)."""
    # The cache is one of the reference caches, so this forgets them all; they
    # are small and reload on the next read.
    reference_cache_clear()


def charge_lines_filter(
    *, lines: Iterable[ChargeLineData], on: date, country: str
) -> tuple[ChargeLineData, ...]:
    """The lines in force on `on` for `country`: duty, then VAT, then fees."""
    return tuple(
        sorted(
            (
                line
                for line in lines
                if line.in_force(on=on) and line.covers(country=country)
            ),
            key=lambda line: (
                _KIND_ORDER.get(line.kind, 9),
                line.code,
                line.valid_from,
            ),
        )
    )


# (on, country) -> (the stored lines filtered, the filtered lines); an entry is
# used only while the stored lines are the same tuple (a reload makes another).
_in_force: dict[tuple[date, str], tuple[tuple, tuple]] = {}


def charge_lines_in_force(*, on: date, country: str) -> tuple[ChargeLineData, ...]:
    """The active charge lines valid on `on` for `country` (the member state of
    import) or all the EU.

    The table is read once per process (it holds a few dozen rows) and filtered
    in memory once per day and country, so pricing thousands of consignments
    costs one query.
    """
    stored = _stored_charge_lines()
    key = (on, country)
    cached = _in_force.get(key)
    if cached is not None and cached[0] is stored:
        return cached[1]
    if len(_in_force) > 4096:
        _in_force.clear()
    lines = charge_lines_filter(lines=stored, on=on, country=country)
    _in_force[key] = (stored, lines)
    return lines
