"""Read forwarders' manifest files (CSV or XLSX) row by row, safely and fast."""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from operator import call, itemgetter
from pathlib import Path, PurePath
from typing import IO, Any, Literal, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shipments.awb import normalise_mawb

# --- The contract -------------------------------------------------------------

SHIPMENT = "shipment"
CONSIGNMENT = "consignment"
ITEM = "item"

TEXT = "text"
CODE = "code"
DECIMAL = "decimal"
INTEGER = "integer"
DATE = "date"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the manifest format (shared/manifest-format.md)."""

    name: str
    level: str
    required: bool | Literal["conditional"]
    kind: str


COLUMNS: tuple[Column, ...] = (
    Column("mawb", SHIPMENT, True, CODE),
    Column("flight_number", SHIPMENT, True, CODE),
    Column("departure_airport", SHIPMENT, True, CODE),
    Column("arrival_airport", SHIPMENT, True, CODE),
    Column("arrival_date", SHIPMENT, True, DATE),
    Column("hawb", CONSIGNMENT, True, TEXT),
    Column("consignor_name", CONSIGNMENT, True, TEXT),
    Column("consignor_address", CONSIGNMENT, True, TEXT),
    Column("consignor_city", CONSIGNMENT, True, TEXT),
    Column("consignor_postcode", CONSIGNMENT, False, TEXT),
    Column("consignor_country", CONSIGNMENT, True, CODE),
    Column("consignee_name", CONSIGNMENT, True, TEXT),
    Column("consignee_address", CONSIGNMENT, True, TEXT),
    Column("consignee_city", CONSIGNMENT, True, TEXT),
    Column("consignee_postcode", CONSIGNMENT, "conditional", TEXT),
    Column("consignee_country", CONSIGNMENT, True, CODE),
    Column("consignee_eori", CONSIGNMENT, False, CODE),
    Column("ioss_number", CONSIGNMENT, False, CODE),
    Column("vat_path", CONSIGNMENT, False, CODE),
    Column("currency", CONSIGNMENT, True, CODE),
    Column("transport_cost", CONSIGNMENT, False, DECIMAL),
    Column("insurance_cost", CONSIGNMENT, False, DECIMAL),
    Column("gross_mass_kg", CONSIGNMENT, True, DECIMAL),
    Column("packages", CONSIGNMENT, False, INTEGER),
    Column("description", ITEM, True, TEXT),
    Column("hs_code", ITEM, True, CODE),
    Column("origin_country", ITEM, True, CODE),
    Column("quantity", ITEM, True, INTEGER),
    Column("item_value", ITEM, True, DECIMAL),
    Column("net_mass_kg", ITEM, False, DECIMAL),
    Column("product_id", ITEM, False, TEXT),
    Column("manufacturer_product_id", ITEM, False, TEXT),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required is True)
_BY_NAME = {c.name: c for c in COLUMNS}
_ORDER = {name: n for n, name in enumerate(COLUMN_NAMES)}
# Shipment- and consignment-level values may be left blank on a consignment's
# second and later rows, so only the hawb and the item's own required values
# are checked row by row; conflicting_fields and missing_fields (and the rule
# book) judge the consignment as a whole.
_ROW_REQUIRED = frozenset(
    c.name for c in COLUMNS if c.required is True and (c.level == ITEM)
) | {"hawb"}

# Zip-bomb limits, read from the zip directory before anything is inflated
# (zipfile refuses to inflate a member past its declared size).
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR_BYTES = 10 * 1024 * 1024

_SNIFF_BYTES = 64 * 1024
_CACHE_LIMIT = 20_000
_REQUIRED_EMPTY = gettext_lazy("is required but empty; fill it in on every row")

# --- Results ------------------------------------------------------------------


class ManifestRefused(Exception):
    """A file refused as a whole; str() is a plain-English message with the fix."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one value (or, with column "", the whole row) could not be read."""

    column: str
    message: str
    code: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One data row: its number after the header, its values and its errors."""

    row: int
    values: dict[str, str]
    errors: tuple[RowError, ...] = ()


class _HasValues(Protocol):
    @property
    def values(self) -> Mapping[str, str]: ...


class DecimalError(ValueError):
    """A text that is not a decimal in the contract's form; str() says the fix."""


# --- Values -------------------------------------------------------------------

_DECIMAL = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)")
_INTEGER = re.compile(r"[-+]?\d+")
_WHOLE_DECIMAL = re.compile(r"([-+]?\d+)\.0+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBERISH = re.compile(r"-?[\d.,]+")
_SPACED_THOUSANDS = re.compile(r"-?\d{1,3}(?:[ '\u00a0\u202f]\d{3})+(?:\.\d+)?")
_NUMBER_INSIDE = re.compile(r"-?\d+(?:[.,]\d+)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[./](\d{1,2})[./](\d{1,2})")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_HS_SEPARATORS = re.compile(r"[.\s]")
_UNTEXT = re.compile("[\udc80-\udcff\x00]+")


def _shown(text: str) -> str:
    """A value quoted for a message, cut short when long."""
    return "'" + (text if len(text) <= 40 else text[:37] + "...") + "'"


def parse_decimal(text: str) -> Decimal:
    """A decimal written with a dot and no thousands separators, as the contract says.

    Raises DecimalError saying how to write it otherwise ("'18,50' uses a comma;
    write 18.50").
    """
    value = text.strip()
    if _DECIMAL.fullmatch(value):
        return Decimal(value)
    raise DecimalError(_decimal_problem(value))


def _decimal_problem(value: str) -> str:
    shown = _shown(value)
    if not value:
        return _("is empty; write a number such as 18.50")
    if _SPACED_THOUSANDS.fullmatch(value):
        plain = re.sub(r"[ '\u00a0\u202f]", "", value)
        return _("%(shown)s has a thousands separator; write %(plain)s") % {
            "shown": shown,
            "plain": plain,
        }
    if _NUMBERISH.fullmatch(value) and any(ch.isdigit() for ch in value):
        last = max(value.rfind(","), value.rfind("."))
        mark = value[last]
        if "," in value and "." in value:
            other = "." if mark == "," else ","
            plain = value.replace(other, "").replace(",", ".")
            return _(
                "%(shown)s uses a comma and a thousands separator; write %(plain)s"
            ) % {"shown": shown, "plain": plain}
        if mark == "," and value.count(",") == 1:
            decimals = len(value) - last - 1
            dotted = value.replace(",", ".")
            if decimals == 3 and last > 0:
                return _(
                    "%(shown)s uses a comma; write %(dotted)s if the comma marks the "
                    "decimals, or %(plain)s if it separates thousands"
                ) % {"shown": shown, "dotted": dotted, "plain": value.replace(",", "")}
            return _("%(shown)s uses a comma; write %(dotted)s") % {
                "shown": shown,
                "dotted": dotted,
            }
        if value.count(mark) > 1:
            return _("%(shown)s has thousands separators; write %(plain)s") % {
                "shown": shown,
                "plain": value.replace(mark, ""),
            }
    found = _NUMBER_INSIDE.findall(value)
    if len(found) == 1 and any(ch.isalpha() or ch in "€$£¥" for ch in value):
        number = found[0].replace(",", ".")
        return _(
            "%(shown)s is not a number; write the number alone, e.g. %(number)s "
            "(a currency goes in the currency column)"
        ) % {"shown": shown, "number": number}
    return _(
        "%(shown)s is not a number; write it with a dot for decimals, e.g. 18.50"
    ) % {"shown": shown}


def _integer_problem(value: str) -> str:
    shown = _shown(value)
    if re.fullmatch(r"-?\d{1,3}(?:[,' \u00a0]\d{3})+", value):
        digits = re.sub(r"\D", "", value)
        return _("%(shown)s has a thousands separator; write %(plain)s") % {
            "shown": shown,
            "plain": digits,
        }
    if _DECIMAL.fullmatch(value.replace(",", ".")):
        return _("%(shown)s is not a whole number; write a whole number, e.g. 2") % {
            "shown": shown
        }
    return _("%(shown)s is not a number; write a whole number, e.g. 2") % {
        "shown": shown
    }


def _date_problem(value: str) -> str:
    shown = _shown(value)
    if _ISO_DATE.fullmatch(value):
        return _("%(shown)s is not a real date; check the day and the month") % {
            "shown": shown
        }
    suggestion = None
    if match := _DAY_MONTH_YEAR.fullmatch(value):
        first, second, year = (int(g) for g in match.groups())
        if first > 12 or first == second:
            day, month = first, second
        elif second > 12:
            day, month = second, first
        else:
            day = month = 0  # 03/04/2026: April 3rd or March 4th; not guessed.
        suggestion = _iso(year, month, day)
    elif match := _YEAR_MONTH_DAY.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
        suggestion = _iso(year, month, day)
    if suggestion:
        return _("%(shown)s is not written YYYY-MM-DD; write %(suggestion)s") % {
            "shown": shown,
            "suggestion": suggestion,
        }
    return _("%(shown)s is not a date written YYYY-MM-DD, e.g. 2026-11-20") % {
        "shown": shown
    }


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _is_formula_like(value: str) -> bool:
    return value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


# A cleaner takes a stripped, non-empty value and returns the value to keep and,
# when it is not of the column's kind, the error code and what is wrong.
Problem = tuple[str, str]
Cleaner = Callable[[str], tuple[str, Problem | None]]


def _clean_code(value: str) -> tuple[str, Problem | None]:
    if _is_formula_like(value):
        return value, None
    return "".join(value.split()).upper(), None


def _clean_mawb(value: str) -> tuple[str, Problem | None]:
    if _is_formula_like(value):
        return value, None
    return normalise_mawb(value), None


def _clean_hs_code(value: str) -> tuple[str, Problem | None]:
    if _is_formula_like(value):
        return value, None
    return _HS_SEPARATORS.sub("", value), None


def _clean_decimal(value: str) -> tuple[str, Problem | None]:
    if _DECIMAL.fullmatch(value):
        return value, None
    return value, ("ROW-DECIMAL", _decimal_problem(value))


def _clean_integer(value: str) -> tuple[str, Problem | None]:
    if _INTEGER.fullmatch(value):
        return value, None
    if match := _WHOLE_DECIMAL.fullmatch(value):  # 2.0, as some exports write 2.
        return match.group(1), None
    return value, ("ROW-INTEGER", _integer_problem(value))


def _clean_date(value: str) -> tuple[str, Problem | None]:
    if _ISO_DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return value, None
        except ValueError:
            pass
    return value, ("ROW-DATE", _date_problem(value))


_CLEANERS: dict[str, Cleaner] = {
    "mawb": _clean_mawb,
    "hs_code": _clean_hs_code,
    CODE: _clean_code,
    DECIMAL: _clean_decimal,
    INTEGER: _clean_integer,
    DATE: _clean_date,
}


class _Cache(dict[str, str]):
    """Raw cell text to clean value for the columns of one cleaner.

    Manifests repeat the same codes, dates and amounts on thousands of rows, so
    each distinct text is cleaned once; a hit is a C-level dict lookup. Texts
    that are not of the column's kind are also put in `bad`, with the problem,
    and in `flags`, which all the caches of a file share.
    """

    __slots__ = ("clean", "bad", "flags")

    def __init__(self, clean: Cleaner, flags: set[str]) -> None:
        super().__init__()
        self.clean = clean
        self.bad: dict[str, Problem] = {}
        self.flags = flags

    def __missing__(self, raw: str) -> str:
        value = raw.strip()
        if value:
            value, problem = self.clean(value)
            if problem:
                self.bad[raw] = problem
                self.flags.add(raw)
        self[raw] = value
        return value


def neutralise_cell(value: str) -> str:
    """A cell value made safe for a CSV or XLSX export (OWASP CSV injection).

    Text starting with = + - @ tab, CR or LF (also after leading spaces) gets a
    leading single quote, so a spreadsheet shows it instead of evaluating it;
    plain numbers such as -5 or +32 are left alone.
    """
    if not value:
        return value
    first = value.lstrip(" ")[:1]
    if first and first in "=+-@\t\r\n" and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


# --- Consignments ---------------------------------------------------------------


def consignment_fields() -> tuple[str, ...]:
    """The shipment- and consignment-level columns, which must agree per hawb."""
    return tuple(c.name for c in COLUMNS if c.level in (SHIPMENT, CONSIGNMENT))


_CONSIGNMENT_FIELDS = consignment_fields()
_CONSIGNMENT_REQUIRED = tuple(
    name for name in _CONSIGNMENT_FIELDS if _BY_NAME[name].required is True
)


def conflicting_fields(rows: Sequence[_HasValues]) -> tuple[str, ...]:
    """The consignment-level fields whose non-empty values differ between rows.

    rows are the rows of one hawb; blanks on later rows are not a conflict.
    """
    conflicts = []
    for name in _CONSIGNMENT_FIELDS:
        seen = {row.values.get(name, "") for row in rows}
        seen.discard("")
        if len(seen) > 1:
            conflicts.append(name)
    return tuple(conflicts)


def missing_fields(rows: Sequence[_HasValues]) -> tuple[str, ...]:
    """The required consignment-level fields left empty on every row of a hawb."""
    return tuple(
        name
        for name in _CONSIGNMENT_REQUIRED
        if not any(row.values.get(name, "") for row in rows)
    )


# --- Opening a file -------------------------------------------------------------


def open_manifest(*, path: Path, filename: str, max_bytes: int) -> ManifestReader:
    """Check that the file is a manifest and return a reader over its rows.

    The type is sniffed from the first bytes, never taken from the name. Raises
    ManifestRefused, having read nothing but the first bytes (and for XLSX the
    zip directory and header row), for a file to refuse as a whole.
    """
    name = PurePath(filename.replace("\\", "/")).name or _("This file")
    size = path.stat().st_size
    if size == 0:
        raise ManifestRefused(
            _("%(name)s is empty: export the manifest again and upload that.")
            % {"name": name},
            code="FILE-EMPTY",
        )
    if size > max_bytes:
        raise ManifestRefused(
            _(
                "%(name)s is %(size)s, over the %(limit)s limit for a manifest: "
                "split it into smaller files (for example one per master AWB) and "
                "upload each."
            )
            % {"name": name, "size": _size(size), "limit": _size(max_bytes)},
            code="FILE-SIZE",
        )
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    suffix = PurePath(name).suffix.lower()
    warnings: list[str] = []
    if head.startswith(b"PK\x03\x04"):
        _check_xlsx(path, name)
        if suffix in (".csv", ".txt"):
            warnings.append(
                _(
                    "%(name)s is named %(suffix)s but is an Excel workbook (XLSX); "
                    "it was read as one."
                )
                % {"name": name, "suffix": suffix}
            )
        return _open_xlsx(path, name, warnings)
    what = _binary_kind(head)
    if what:
        raise ManifestRefused(
            _(
                "%(name)s is not a CSV or XLSX manifest (it looks like %(what)s): "
                "export the manifest from your system as CSV (UTF-8) or Excel "
                "(.xlsx) and upload that."
            )
            % {"name": name, "what": what},
            code="FILE-TYPE",
        )
    if _mostly_not_utf8(head):
        raise ManifestRefused(
            _(
                "%(name)s is not UTF-8 text: it was saved in another encoding (such "
                "as Windows-1252 or GBK), which garbles accented and Chinese names. "
                "Save it as 'CSV UTF-8' and upload that."
            )
            % {"name": name},
            code="FILE-ENCODING",
        )
    if suffix in (".xlsx", ".xls", ".xlsm"):
        warnings.append(
            _(
                "%(name)s is named %(suffix)s but is a CSV text file; it was read "
                "as CSV."
            )
            % {"name": name, "suffix": suffix}
        )
    return _open_csv(path, name, warnings)


def _size(size: int) -> str:
    if size < 1024:
        return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": f"{size / 1024:.0f}"}
    return _("%(size)s MB") % {"size": f"{size / (1024 * 1024):.1f}".removesuffix(".0")}


_MAGICS: tuple[tuple[bytes, Any], ...] = (
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF87a", gettext_lazy("a GIF image")),
    (b"GIF89a", gettext_lazy("a GIF image")),
    (b"%PDF-", gettext_lazy("a PDF document")),
    (b"II*\x00", gettext_lazy("a TIFF image")),
    (b"MM\x00*", gettext_lazy("a TIFF image")),
    (b"\x7fELF", gettext_lazy("a program (ELF)")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy(
            "an old-style Excel file (.xls) or a password-protected workbook; save "
            "it as Excel Workbook (.xlsx) without a password"
        ),
    ),
    (b"PK\x05\x06", gettext_lazy("an empty ZIP archive")),
    (b"\x1f\x8b", gettext_lazy("a compressed (gzip) file")),
    (b"Rar!\x1a\x07", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"\x00\x00\xfe\xff", gettext_lazy("UTF-32 text; save it as 'CSV UTF-8'")),
    (b"\xff\xfe\x00\x00", gettext_lazy("UTF-32 text; save it as 'CSV UTF-8'")),
    (b"\xff\xfe", gettext_lazy("UTF-16 (Unicode) text; save it as 'CSV UTF-8'")),
    (b"\xfe\xff", gettext_lazy("UTF-16 (Unicode) text; save it as 'CSV UTF-8'")),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1a")


def _binary_kind(head: bytes) -> str | None:
    """What the first bytes are when they are not text that could be a CSV."""
    for magic, what in _MAGICS:
        if head.startswith(magic):
            return str(what)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _("a WebP image")
    if head[:2] == b"MZ" and b"\x00" in head[:64]:
        return _("a Windows program")
    if head[4:8] == b"ftyp":
        return _("a photo or video (HEIC/MP4)")
    if b"\x00" in head:
        if head[1::2].count(0) > len(head) // 4 or head[::2].count(0) > len(head) // 4:
            return _("UTF-16 (Unicode) text; save it as 'CSV UTF-8'")
        return _("binary data, not text")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(len(head) // 100, 2):
        return _("binary data, not text")
    return None


def _mostly_not_utf8(head: bytes) -> bool:
    """Whether the first lines with non-ASCII text are mostly not UTF-8.

    One bad line is a row error; a file whose every accented name is invalid was
    saved in another encoding and is refused with the fix.
    """
    good = bad = 0
    lines = head.split(b"\n")
    if len(head) == _SNIFF_BYTES:
        lines.pop()  # Cut short: may end inside a character.
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return bad >= 2 and bad > good


def _check_xlsx(path: Path, name: str) -> None:
    """Refuse a zip that is not a plain XLSX, or whose sizes make it a bomb.

    Only the zip directory (and a small [Content_Types].xml) is read.
    """
    damaged = ManifestRefused(
        _(
            "%(name)s is damaged and could not be opened: save it again from your "
            "spreadsheet program and upload that."
        )
        % {"name": name},
        code="FILE-DAMAGED",
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise damaged from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ManifestRefused(
                _(
                    "%(name)s holds %(count)s files, far more than a spreadsheet "
                    "needs, and is refused as unsafe: save the manifest again as a "
                    "new Excel Workbook (.xlsx) or as CSV and upload that."
                )
                % {"name": name, "count": len(members)},
                code="FILE-ZIP-BOMB",
            )
        names = {m.filename.lower() for m in members}
        if "xl/workbook.xml" not in names:
            raise ManifestRefused(
                _(
                    "%(name)s is not a CSV or XLSX manifest (it looks like "
                    "%(what)s): export the manifest as CSV (UTF-8) or Excel (.xlsx) "
                    "and upload that."
                )
                % {"name": name, "what": _zip_kind(names)},
                code="FILE-TYPE",
            )
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise ManifestRefused(
                _(
                    "%(name)s would unpack to %(size)s, over the %(limit)s we open, "
                    "and is refused as unsafe: save the manifest as CSV (UTF-8), or "
                    "split it, and upload that."
                )
                % {
                    "name": name,
                    "size": _size(unpacked),
                    "limit": _size(MAX_UNCOMPRESSED_BYTES),
                },
                code="FILE-ZIP-BOMB",
            )
        for member in members:
            if (
                member.file_size > RATIO_FLOOR_BYTES
                and member.file_size
                > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
            ):
                raise ManifestRefused(
                    _(
                        "%(name)s is compressed more than %(ratio)s to 1 (%(member)s), "
                        "which we refuse as unsafe: save it again from your "
                        "spreadsheet program, or as CSV (UTF-8), and upload that."
                    )
                    % {
                        "name": name,
                        "ratio": MAX_COMPRESSION_RATIO,
                        "member": member.filename,
                    },
                    code="FILE-ZIP-BOMB",
                )
        declared = ""
        types = next(
            (m for m in members if m.filename.lower() == "[content_types].xml"), None
        )
        if types is not None and types.file_size <= 1024 * 1024:
            try:
                declared = archive.read(types).decode("utf-8", "replace").lower()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise damaged from exc
    if (
        any(
            n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/")
            for n in names
        )
        or "macroenabled" in declared
    ):
        raise ManifestRefused(
            _(
                "%(name)s is a macro-enabled workbook (.xlsm), which we do not "
                "accept: save it as Excel Workbook (.xlsx) without macros, or as CSV "
                "(UTF-8), and upload that."
            )
            % {"name": name},
            code="FILE-MACROS",
        )


def _zip_kind(names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return _("an Excel binary workbook (.xlsb)")
    if "word/document.xml" in names:
        return _("a Word document")
    if "ppt/presentation.xml" in names:
        return _("a PowerPoint presentation")
    if "mimetype" in names and "content.xml" in names:
        return _("an OpenDocument file")
    return _("a ZIP archive")


# --- Reading --------------------------------------------------------------------


class ManifestReader:
    """The rows of an opened manifest, read one at a time; close it when done.

    Iterating may still raise ManifestRefused (an XLSX damaged past its header):
    treat that as a refusal of the whole file.
    """

    def __init__(
        self,
        *,
        format: str,
        columns: tuple[str, ...],
        warnings: tuple[str, ...],
        rows: Iterator[ParsedRow],
        close: Callable[[], None],
    ) -> None:
        self.format = format
        self.columns = columns
        self.warnings = warnings
        self._rows = rows
        self._close = close

    def __iter__(self) -> ManifestReader:
        return self

    def __next__(self) -> ParsedRow:
        return next(self._rows)

    def close(self) -> None:
        """Release the file (idempotent)."""
        self._close()

    def __enter__(self) -> ManifestReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _header_name(cell: str) -> str:
    """'  Item-Value ' and 'ITEM  VALUE' both become 'item_value'."""
    return re.sub(r"[\s\-_]+", "_", cell.replace("\ufeff", "").strip().lower()).strip(
        "_"
    )


def _read_header(cells: list[str], name: str) -> tuple[dict[str, int], list[str]]:
    """The column index of each recognised name, and warnings about the others."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        key = _header_name(cell)
        if key in _BY_NAME:
            if key in positions:
                raise ManifestRefused(
                    _(
                        "%(name)s has the column %(column)s twice (columns %(first)s "
                        "and %(second)s): keep one and upload the file again."
                    )
                    % {
                        "name": name,
                        "column": key,
                        "first": positions[key] + 1,
                        "second": index + 1,
                    },
                    code="FILE-HEADER",
                )
            positions[key] = index
        elif key:
            unknown.append(_UNTEXT.sub("\ufffd", cell.strip()))
    recognised = [c for c in REQUIRED_COLUMNS if c in positions]
    if len(recognised) * 2 < len(REQUIRED_COLUMNS):
        separated_by = None
        for separator, word in ((";", "semicolons"), ("\t", "tabs")):
            if len(cells) == 1 and separator in cells[0]:
                split = {_header_name(c) for c in cells[0].split(separator)}
                if len(split & set(REQUIRED_COLUMNS)) * 2 >= len(REQUIRED_COLUMNS):
                    separated_by = word
        values = {
            "name": name,
            "found": len(recognised),
            "required": len(REQUIRED_COLUMNS),
            "columns": ", ".join(REQUIRED_COLUMNS),
        }
        if separated_by == "semicolons":
            message = _(
                "%(name)s has no recognisable manifest header: its first row must "
                "name the columns, and only %(found)s of the %(required)s required "
                "ones were found. Its columns are separated by semicolons; a "
                "manifest uses commas: save it as 'CSV UTF-8 (comma delimited)'. "
                "Expected columns: %(columns)s (any order, optional ones too, as in "
                "the manifest format)."
            )
        elif separated_by == "tabs":
            message = _(
                "%(name)s has no recognisable manifest header: its first row must "
                "name the columns, and only %(found)s of the %(required)s required "
                "ones were found. Its columns are separated by tabs; a manifest uses "
                "commas: save it as 'CSV UTF-8 (comma delimited)'. Expected columns: "
                "%(columns)s (any order, optional ones too, as in the manifest "
                "format)."
            )
        else:
            message = _(
                "%(name)s has no recognisable manifest header: its first row must "
                "name the columns, and only %(found)s of the %(required)s required "
                "ones were found. Expected columns: %(columns)s (any order, optional "
                "ones too, as in the manifest format)."
            )
        raise ManifestRefused(message % values, code="FILE-HEADER")
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise ManifestRefused(
            ngettext(
                "%(name)s is missing required column %(columns)s: add it to the "
                "header row, with a value on each row, and upload the file again.",
                "%(name)s is missing required columns %(columns)s: add them to the "
                "header row, with a value on each row, and upload the file again.",
                len(missing),
            )
            % {"name": name, "columns": ", ".join(missing)},
            code="FILE-COLUMNS",
        )
    warnings = []
    if unknown:
        listed = ", ".join(f"'{u}'" for u in unknown[:20])
        if len(unknown) > 20:
            warnings.append(
                _(
                    "Columns %(listed)s and %(more)s more are not part of the "
                    "manifest format and were ignored."
                )
                % {"listed": listed, "more": len(unknown) - 20}
            )
        else:
            warnings.append(
                ngettext(
                    "Column %(listed)s is not part of the manifest format and was "
                    "ignored.",
                    "Columns %(listed)s are not part of the manifest format and were "
                    "ignored.",
                    len(unknown),
                )
                % {"listed": listed}
            )
    return positions, warnings


class _RowBuilder:
    """Turns a row's cell texts into a ParsedRow; the hot loop of the parser.

    Every recognised cell goes through one C-level pass (map with
    operator.call): str.strip for text, a _Cache lookup for the other kinds.
    Only a row holding a known-bad text or an empty required value takes the
    slow path that spells out its errors.
    """

    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions
        self.width = max(positions.values()) + 1
        self.names = tuple(sorted(positions, key=_ORDER.__getitem__))
        self.complete = self.names == COLUMN_NAMES
        self.template = dict.fromkeys(COLUMN_NAMES, "")
        self.flags: set[str] = set()
        caches: dict[str, _Cache] = {}
        functions: list[Callable[[str], str]] = []
        self.checks: list[tuple[str, _Cache]] = []
        for name in self.names:
            kind = name if name in _CLEANERS else _BY_NAME[name].kind
            if kind == TEXT:
                functions.append(str.strip)
                continue
            if kind not in caches:
                caches[kind] = _Cache(_CLEANERS[kind], self.flags)
            functions.append(caches[kind].__getitem__)
            self.checks.append((name, caches[kind]))
        self.caches = tuple(caches.values())
        self.functions = tuple(functions)
        # Every required column is there (or the file was refused): 2 or more.
        self.cells = itemgetter(*(positions[n] for n in self.names))
        required = [n for n in self.names if n in _ROW_REQUIRED]
        self.required_names = tuple(required)
        self.required = itemgetter(*required)

    def build(self, number: int, cells: Sequence[str]) -> ParsedRow | None:
        """The parsed row, or None for a row with no value in any known column."""
        raws = self.cells(cells)
        if self.complete:
            values = dict(zip(self.names, map(call, self.functions, raws), strict=True))
        else:
            values = self.template.copy()
            values.update(zip(self.names, map(call, self.functions, raws), strict=True))
        if self.flags.isdisjoint(raws) and "" not in self.required(values):
            return ParsedRow(number, values)
        if not any(values.values()):
            return None
        errors = [
            _row_error(number, name, "ROW-REQUIRED", _REQUIRED_EMPTY)
            for name in self.required_names
            if not values[name]
        ]
        for name, cache in self.checks:
            problem = cache.bad.get(cells[self.positions[name]])
            if problem:
                errors.append(_row_error(number, name, *problem))
        errors.sort(key=lambda e: _ORDER[e.column])
        return ParsedRow(number, values, tuple(errors))

    def trim_caches(self) -> None:
        """Keep memory flat on files with many distinct values."""
        if sum(map(len, self.caches)) > _CACHE_LIMIT:
            for cache in self.caches:
                cache.clear()
                cache.bad.clear()
            self.flags.clear()


def _row_error(number: int, column: str, code: str, detail: str) -> RowError:
    if column:
        message = _("row %(number)s, %(column)s: %(detail)s") % {
            "number": number,
            "column": column,
            "detail": detail,
        }
    else:
        message = _("row %(number)s: %(detail)s") % {"number": number, "detail": detail}
    return RowError(column, message, code)


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text) if ("\n" in text or "\r" in text) else text


# CSV -----------------------------------------------------------------------------

# Undecodable bytes become lone surrogates (as with surrogateescape), counted so
# that rows are only searched for them once a file has had one.
_undecodable = [0]
_surrogateescape = codecs.lookup_error("surrogateescape")


def _record_undecodable(error: UnicodeError) -> tuple[str, int]:
    _undecodable[0] += 1
    return _surrogateescape(error)


codecs.register_error("manifest-undecodable", _record_undecodable)


class _WatchedFile(io.BufferedReader):
    """A binary file that notes NUL bytes (which PostgreSQL text cannot hold)."""

    nul = False

    def read1(self, size: int = -1, /) -> bytes:
        data = super().read1(size)
        if b"\x00" in data:
            self.nul = True
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        if b"\x00" in data:
            self.nul = True
        return data


def _open_csv(path: Path, name: str, warnings: list[str]) -> ManifestReader:
    binary = _WatchedFile(io.FileIO(path, "rb"), buffer_size=64 * 1024)
    text = io.TextIOWrapper(
        binary, encoding="utf-8-sig", errors="manifest-undecodable", newline=""
    )
    try:
        undecodable_before = _undecodable[0]
        records = csv.reader(text)
        header: list[str] = []
        try:
            for cells in records:
                if any(c.strip() for c in cells):
                    header = cells
                    break
        except csv.Error:
            header = []
        while header and not header[-1].strip():
            header.pop()  # Trailing empty header cells, as some exports add.
        positions, header_warnings = _read_header(header, name)
    except BaseException:
        text.close()
        raise
    builder = _RowBuilder(positions)
    return ManifestReader(
        format="csv",
        columns=tuple(n for n in COLUMN_NAMES if n in positions),
        warnings=tuple(warnings + header_warnings),
        rows=_csv_rows(records, builder, len(header), undecodable_before, binary, text),
        close=text.close,
    )


def _csv_rows(
    records: Any,
    builder: _RowBuilder,
    width: int,
    undecodable_before: int,
    binary: _WatchedFile,
    text: io.TextIOWrapper,
) -> Iterator[ParsedRow]:
    build = builder.build
    number = 0
    line = records.line_num
    fields = sorted(builder.positions.items(), key=lambda item: item[1])
    try:
        while True:
            try:
                cells = next(records)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                line = records.line_num
                yield ParsedRow(
                    number,
                    dict(builder.template),
                    (_row_error(number, "", "ROW-CSV", _csv_problem(exc)),),
                )
                continue
            number += 1
            if not number & 4095:
                builder.trim_caches()
            if records.line_num - line > 1:  # A quoted line break inside a value.
                cells = [_one_line(c) for c in cells]
            line = records.line_num
            if not any(cells):
                continue
            problems: list[RowError] = []
            if len(cells) != width:
                if len(cells) > width and not any(c.strip() for c in cells[width:]):
                    cells = cells[:width]
                else:
                    if not any(c.strip() for c in cells):
                        continue
                    problems.append(
                        _row_error(
                            number,
                            "",
                            "ROW-COLUMNS",
                            _(
                                "has %(count)s columns where the header has "
                                "%(width)s; put values that contain a comma in "
                                "double quotes, and give every row all the columns"
                            )
                            % {"count": len(cells), "width": width},
                        )
                    )
                    cells = (cells + [""] * width)[:width]
            # Decoding runs a chunk ahead of the rows: once a file has had a bad
            # byte, each later row is searched for one.
            if binary.nul or _undecodable[0] != undecodable_before:
                cells, bad = _unescape(cells, fields)
                problems.extend(
                    _row_error(
                        number,
                        column,
                        "ROW-ENCODING",
                        _(
                            "is not valid UTF-8 text; save the file as 'CSV UTF-8' "
                            "(the bad characters show as \ufffd)"
                        ),
                    )
                    for column in bad
                )
            parsed = build(number, cells)
            if parsed is None:
                continue
            if problems:
                if problems[0].code == "ROW-COLUMNS":
                    parsed = ParsedRow(number, parsed.values, tuple(problems))
                else:
                    columns = {p.column for p in problems}
                    kept = [e for e in parsed.errors if e.column not in columns]
                    merged = sorted(kept + problems, key=lambda e: _ORDER[e.column])
                    parsed = ParsedRow(number, parsed.values, tuple(merged))
            yield parsed
    finally:
        text.close()


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return _(
            "has a value over %(limit)s characters, usually a quote that is opened "
            "and never closed; check the quotes in this row"
        ) % {"limit": csv.field_size_limit()}
    return _("could not be read as CSV (%(error)s); check the quotes in this row") % {
        "error": exc
    }


def _unescape(
    cells: list[str], fields: list[tuple[str, int]]
) -> tuple[list[str], list[str]]:
    """Cells with undecodable bytes and NULs shown as U+FFFD, and their columns."""
    bad = [column for column, index in fields if _UNTEXT.search(cells[index])]
    if not bad:
        return cells, bad
    return [_UNTEXT.sub("\ufffd", c) for c in cells], bad


# XLSX ----------------------------------------------------------------------------
# The sheet is streamed with the standard library's C XML parser, not openpyxl:
# with defusedxml installed openpyxl parses in pure Python (about 2,000 rows a
# second here), and it first scans the whole of a sheet that has no
# <dimension>. Expat 2.4+ stops entity-expansion bombs, ElementTree never fetches
# external entities, and a part with a DTD is refused outright.

_SPREADSHEET_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML.
)
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOCUMENT_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
# Built-in number formats that show a date: 14-22, 45-47, and the East Asian
# ones Excel uses in Chinese and Japanese locales.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48)]) | (
    frozenset(range(50, 59))
)
_READ_ERRORS = (
    ET.ParseError,
    KeyError,
    ValueError,
    IndexError,
    TypeError,
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
)


class _XlsxError(Exception):
    """A workbook part is missing or not what an XLSX holds."""


class _Workbook:
    """The first worksheet of an XLSX, its shared strings and date styles."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members = {m.filename.lower(): m.filename for m in archive.infolist()}
        workbook = self._tree("xl/workbook.xml")
        namespace = workbook.tag[1:].split("}")[0] if "}" in workbook.tag else ""
        if namespace not in _SPREADSHEET_NS:
            raise _XlsxError("Not a SpreadsheetML workbook.")
        ns = "{" + namespace + "}"
        self.tags = {
            name: ns + name
            for name in ("sheetData", "row", "c", "v", "is", "t", "r", "rPh", "si")
        }
        properties = workbook.find(ns + "workbookPr")
        self.date1904 = properties is not None and properties.get("date1904", "") in (
            "1",
            "true",
        )
        relations = {
            rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
            for rel in self._tree("xl/_rels/workbook.xml.rels")
            if rel.tag == _PACKAGE_RELS + "Relationship"
        }
        self.sheets: list[tuple[str, str]] = []
        for sheet in workbook.iterfind(f"{ns}sheets/{ns}sheet"):
            rid = next(
                (
                    sheet.get(f"{{{n}}}id")
                    for n in _DOCUMENT_RELS
                    if sheet.get(f"{{{n}}}id")
                ),
                None,
            )
            kind, target = relations.get(rid, ("", ""))
            if kind.endswith("/worksheet"):
                self.sheets.append((sheet.get("name", ""), _part(target)))
        if not self.sheets:
            raise _XlsxError("No worksheet.")
        parts = {kind.rsplit("/", 1)[-1]: _part(t) for kind, t in relations.values()}
        self.shared = self._shared_strings(parts.get("sharedStrings"))
        self.date_styles = self._date_styles(parts.get("styles"))
        self.zero_pad_column: int | None = None

    def _open(self, part: str) -> IO[bytes]:
        name = self.members.get(part.lower())
        if name is None:
            raise _XlsxError(f"No part {part}.")
        return self.archive.open(name)

    def _tree(self, part: str) -> ET.Element:
        with self._open(part) as source:
            data = source.read()
        _refuse_dtd(data)
        return ET.fromstring(data)

    def _stream(
        self, part: str, events: tuple[str, ...]
    ) -> Iterator[tuple[str, ET.Element]]:
        parser = ET.XMLPullParser(events=events)
        with self._open(part) as source:
            first = True
            while chunk := source.read(256 * 1024):
                if first:
                    _refuse_dtd(chunk)
                    first = False
                parser.feed(chunk)
                yield from parser.read_events()
        parser.close()
        yield from parser.read_events()

    def _text(self, node: ET.Element) -> str:
        """The text of a string item (<si> or <is>): plain, or rich text runs."""
        t, run = self.tags["t"], self.tags["r"]
        parts = []
        for child in node:
            if child.tag == t:
                parts.append(child.text or "")
            elif child.tag == run:
                parts.extend(x.text or "" for x in child.iter(t))
        return "".join(parts)

    def _shared_strings(self, part: str | None) -> list[str]:
        if part is None or part.lower() not in self.members:
            return []
        item = self.tags["si"]
        strings = []
        for _event, node in self._stream(part, ("end",)):
            if node.tag == item:
                strings.append(self._text(node))
                node.clear()
        return strings

    def _date_styles(self, part: str | None) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format

        if part is None or part.lower() not in self.members:
            return frozenset()
        styles = self._tree(part)
        ns = styles.tag.split("}")[0] + "}" if "}" in styles.tag else ""
        custom = {
            int(f.get("numFmtId", "-1")): f.get("formatCode", "")
            for f in styles.iterfind(f"{ns}numFmts/{ns}numFmt")
        }
        dates = set()
        for index, xf in enumerate(styles.iterfind(f"{ns}cellXfs/{ns}xf")):
            format_id = int(xf.get("numFmtId", "0"))
            if format_id in custom:
                if is_date_format(custom[format_id]):
                    dates.add(index)
            elif format_id in _DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)

    def rows(self) -> Iterator[list[str]]:
        """Each sheet row as canonical cell texts; a missing row is []."""
        tags = self.tags
        sheet_data_tag, row_tag, cell_tag, value_tag = (
            tags["sheetData"],
            tags["row"],
            tags["c"],
            tags["v"],
        )
        inline_tag = tags["is"]
        shared, dates = self.shared, self.date_styles
        columns: dict[str, int] = {}
        expected = 1
        sheet_data: ET.Element | None = None
        for event, node in self._stream(self.sheets[0][1], ("start", "end")):
            if event == "start":
                if node.tag == sheet_data_tag:
                    sheet_data = node
                continue
            if node.tag != row_tag:
                continue
            number = node.get("r")
            index = int(number) if number else expected
            while expected < index:
                expected += 1
                yield []
            expected = index + 1
            cells: list[str] = []
            for cell in node:
                if cell.tag != cell_tag:
                    continue
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = _column_index(letters)
                else:
                    column = len(cells)
                kind = cell.get("t")
                value_node = cell.find(value_tag)
                raw = value_node.text if value_node is not None else None
                if kind == "s":
                    text = shared[int(raw)] if raw else ""
                elif kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    text = self._text(inline) if inline is not None else ""
                elif kind == "b":
                    text = "TRUE" if raw == "1" else ("FALSE" if raw else "")
                elif kind in ("str", "e", "d"):
                    text = raw or ""
                elif not raw:
                    text = ""
                else:
                    text = self._number(raw, cell.get("s"), dates, column)
                if column >= len(cells):
                    cells.extend([""] * (column + 1 - len(cells)))
                cells[column] = text
            if sheet_data is not None:
                sheet_data.remove(node)  # Keeps memory flat: rows are done with.
            else:
                node.clear()
            yield cells

    def _number(
        self, raw: str, style: str | None, dates: frozenset[int], column: int
    ) -> str:
        if style and int(style) in dates:
            return _excel_date(float(raw), self.date1904)
        if "." in raw or "E" in raw or "e" in raw:
            return _float_text(float(raw))
        text = str(int(raw))
        # A number cell loses the leading 0 of HS chapters 01-09; HS codes have
        # 6, 8 or 10 digits.
        if column == self.zero_pad_column and len(text) in (5, 7, 9):
            text = "0" + text
        return text


def _part(target: str) -> str:
    """A relationship target of xl/workbook.xml as a zip member name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def _refuse_dtd(head: bytes) -> None:
    if b"<!doctype" in head[:4096].lower():
        raise _XlsxError("A DTD in a workbook part.")


def _column_index(letters: str) -> int:
    """'A' is 0, 'AE' is 30."""
    index = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise _XlsxError(f"Bad cell reference {letters!r}.")
        index = index * 26 + ord(letter) - 64
    if not 1 <= index <= 16_384:
        raise _XlsxError(f"Bad cell reference {letters!r}.")
    return index - 1


def _excel_date(serial: float, date1904: bool) -> str:
    """An Excel date serial as ISO text: a date, or a date and time."""
    from openpyxl.utils.datetime import (
        CALENDAR_MAC_1904,
        CALENDAR_WINDOWS_1900,
        from_excel,
    )

    try:
        moment = from_excel(
            serial, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        )
    except (OverflowError, ValueError):
        return _float_text(serial)
    if isinstance(moment, datetime):
        if moment.time() == time():
            return moment.date().isoformat()
        return moment.isoformat(sep=" ")
    if isinstance(moment, (date, time)):
        return moment.isoformat()
    return str(moment)


def _open_xlsx(path: Path, name: str, warnings: list[str]) -> ManifestReader:
    archive = zipfile.ZipFile(path)
    try:
        try:
            workbook = _Workbook(archive)
        except (_XlsxError, *_READ_ERRORS) as exc:
            raise ManifestRefused(
                _(
                    "%(name)s could not be opened as an Excel workbook, so it may be "
                    "damaged: save it again as Excel Workbook (.xlsx) or as CSV "
                    "(UTF-8) and upload that."
                )
                % {"name": name},
                code="FILE-DAMAGED",
            ) from exc
        if len(workbook.sheets) > 1:
            warnings.append(
                _(
                    "Only the first sheet ('%(sheet)s') of %(name)s was read; the "
                    "workbook has %(count)s sheets."
                )
                % {
                    "sheet": workbook.sheets[0][0],
                    "name": name,
                    "count": len(workbook.sheets),
                }
            )
        rows = workbook.rows()
        header: list[str] = []
        try:
            for cells in rows:
                if any(c.strip() for c in cells):
                    header = cells
                    break
        except (_XlsxError, *_READ_ERRORS) as exc:
            raise _damaged_xlsx(name) from exc
        positions, header_warnings = _read_header(header, name)
    except BaseException:
        archive.close()
        raise
    workbook.zero_pad_column = positions.get("hs_code")
    builder = _RowBuilder(positions)
    return ManifestReader(
        format="xlsx",
        columns=tuple(n for n in COLUMN_NAMES if n in positions),
        warnings=tuple(warnings + header_warnings),
        rows=_xlsx_rows(rows, builder, name, archive.close),
        close=archive.close,
    )


def _damaged_xlsx(name: str) -> ManifestRefused:
    return ManifestRefused(
        _(
            "%(name)s is damaged and could not be read to the end: save it again as "
            "Excel Workbook (.xlsx) or as CSV (UTF-8) and upload that."
        )
        % {"name": name},
        code="FILE-DAMAGED",
    )


def _xlsx_rows(
    rows: Iterator[list[str]],
    builder: _RowBuilder,
    name: str,
    close: Callable[[], None],
) -> Iterator[ParsedRow]:
    width = builder.width
    positions = builder.positions
    dates = [
        positions[c.name] for c in COLUMNS if c.kind == DATE and c.name in positions
    ]
    number = 0
    try:
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except (_XlsxError, *_READ_ERRORS) as exc:
                raise _damaged_xlsx(name) from exc
            number += 1
            if not number & 4095:
                builder.trim_caches()
            if not any(cells):
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            for index in dates:
                text = cells[index]
                if len(text) > 10 and text[10] in " T" and _ISO_DATE.match(text):
                    cells[index] = text[:10]  # The time of day is not asked.
            joined = "".join(cells)
            if "\n" in joined or "\r" in joined:
                cells = [_one_line(c) for c in cells]
            parsed = builder.build(number, cells)
            if parsed is not None:
                yield parsed
    finally:
        close()


def _float_text(value: float) -> str:
    """18.0 is '18', 0.1 + 0.2 is '0.3': Excel keeps 15 significant digits."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(Decimal(format(value, ".15g")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
