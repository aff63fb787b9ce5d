"""Safety and consistency checks on documents attached to a declaration."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

COMMERCIAL_INVOICE = "commercial_invoice"
PACKING_LIST = "packing_list"
CERTIFICATE_OF_ORIGIN = "certificate_of_origin"

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JPEG = "image/jpeg"
PNG = "image/png"

ACCEPTED_TYPES: dict[str, tuple[str, ...]] = {
    COMMERCIAL_INVOICE: (PDF, XLSX),
    PACKING_LIST: (PDF, XLSX),
    CERTIFICATE_OF_ORIGIN: (PDF, JPEG, PNG),
}
# Noun phrases put into the messages below; lazy, so each message is translated
# in the language active when a document is checked.
_KIND_NAMES = {
    COMMERCIAL_INVOICE: gettext_lazy("commercial invoice"),
    PACKING_LIST: gettext_lazy("packing list"),
    CERTIFICATE_OF_ORIGIN: gettext_lazy("certificate of origin"),
}
_ACCEPTED_WORDS = {
    COMMERCIAL_INVOICE: gettext_lazy("a PDF or XLSX file"),
    PACKING_LIST: gettext_lazy("a PDF or XLSX file"),
    CERTIFICATE_OF_ORIGIN: gettext_lazy("a PDF, or a JPEG or PNG scan"),
}
_TYPE_NAMES = {
    PDF: gettext_lazy("a PDF"),
    XLSX: gettext_lazy("an Excel workbook (XLSX)"),
    JPEG: gettext_lazy("a JPEG image"),
    PNG: gettext_lazy("a PNG image"),
    "application/zip": gettext_lazy("a ZIP archive"),
    "text/plain": gettext_lazy("a plain text file"),
    "text/csv": gettext_lazy("a CSV file"),
    "text/html": gettext_lazy("a web page (HTML)"),
    DOCX: gettext_lazy("a Word document (DOCX)"),
    "application/vnd.ms-excel.sheet.binary.macroEnabled.12": gettext_lazy(
        "an XLSB workbook"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy(
        "an OpenDocument spreadsheet"
    ),
    "application/x-empty": gettext_lazy("an empty file"),
}

# An XLSX is at most a few MB of XML once unpacked; these bound what openpyxl
# may inflate, checked from the zip directory before anything is extracted.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
# Tiny members (styles, empty sheets) compress absurdly well and are harmless.
_RATIO_FLOOR_BYTES = 1024 * 1024

_SNIFF_BYTES = 8192
_MAX_ROWS = 5000
_MAX_COLUMNS = 60
_MAX_PDF_PAGES = 100
_MAX_PDF_OBJECTS = 200_000


@dataclass(frozen=True)
class InvoiceReading:
    """The total and currency read from an invoice, and where they were found."""

    total: Decimal | None
    currency: str | None
    source: str


@dataclass(frozen=True)
class Inspection:
    """The outcome of inspecting one uploaded document."""

    content_type: str
    accepted: bool
    size: int
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    invoice: InvoiceReading | None = None


# --- Inspection ---------------------------------------------------------------


def inspect_document(
    *, data: bytes, filename: str, kind: str, max_bytes: int = 10 * 1024 * 1024
) -> Inspection:
    """Sniff, screen and (for invoices) read one upload; never raises on bad data."""
    if kind not in ACCEPTED_TYPES:
        raise ValueError(f"Unknown document kind {kind!r}.")
    name = PurePath(filename.replace("\\", "/")).name or _("The file")
    size = len(data)
    if size == 0:
        return Inspection(
            content_type="application/x-empty",
            accepted=False,
            size=0,
            problems=(_("%(name)s is empty: upload the file again.") % {"name": name},),
        )
    content_type = _sniff(data)
    if size > max_bytes:
        return Inspection(
            content_type=content_type,
            accepted=False,
            size=size,
            problems=(
                _(
                    "%(name)s is %(size)s, over the %(limit)s limit: upload a smaller "
                    "file (for a scan, a lower resolution)."
                )
                % {
                    "name": name,
                    "size": _megabytes(size),
                    "limit": _megabytes(max_bytes),
                },
            ),
        )
    problems: list[str] = []
    warnings: list[str] = []
    program = _program(data, content_type)
    zip_problem = None
    if program:
        what, content_type = program
        problems.append(_not_a_document(name=name, what=what, kind=kind))
    elif _is_ole2(data, content_type):
        content_type = "application/x-ole-storage"
        if kind == CERTIFICATE_OF_ORIGIN:
            message = _(
                "%(name)s is an old-style Microsoft Office file (such as .xls or "
                ".doc) or a password-protected one, which may carry macros: export "
                "it as PDF, without a password, and upload that."
            )
        else:
            message = _(
                "%(name)s is an old-style Microsoft Office file (such as .xls or "
                ".doc) or a password-protected one, which may carry macros: export "
                "it as PDF or XLSX, without a password, and upload that."
            )
        problems.append(message % {"name": name})
    elif _is_zip(data, content_type):
        content_type, zip_problem = _inspect_zip(data, name)
        if content_type in _PROGRAM_TYPES:
            zip_problem = _not_a_document(
                name=name, what=_PROGRAM_TYPES[content_type], kind=kind
            )
    if zip_problem:
        problems.append(zip_problem)
    elif content_type == PDF and not problems:
        problems.extend(_pdf_problems(data, name))
    if not problems and content_type not in ACCEPTED_TYPES[kind]:
        values = {
            "name": name,
            "what": _TYPE_NAMES.get(content_type),
            "content_type": content_type,
            "kind": _KIND_NAMES[kind],
            "accepted": _ACCEPTED_WORDS[kind],
        }
        if values["what"] is None:
            message = _(
                "%(name)s is of type %(content_type)s, which is not accepted for a "
                "%(kind)s: upload %(accepted)s."
            )
        else:
            message = _(
                "%(name)s is %(what)s, which is not accepted for a %(kind)s: upload "
                "%(accepted)s."
            )
        problems.append(message % values)
    if problems:
        return Inspection(
            content_type=content_type,
            accepted=False,
            size=size,
            problems=tuple(problems),
        )
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in _SUFFIXES[content_type]:
        warnings.append(
            _("%(name)s is named %(suffix)s but is %(what)s; it was checked as such.")
            % {"name": name, "suffix": suffix, "what": _TYPE_NAMES[content_type]}
        )
    invoice = None
    if kind == COMMERCIAL_INVOICE:
        invoice = read_invoice(data=data, content_type=content_type)
        if invoice is None:
            warnings.append(
                _(
                    "No invoice total was found in %(name)s, so it could not be "
                    "compared with the declared value: check that the invoice "
                    "shows its total and currency."
                )
                % {"name": name}
            )
    return Inspection(
        content_type=content_type,
        accepted=True,
        size=size,
        warnings=tuple(warnings),
        invoice=invoice,
    )


def _not_a_document(*, name: str, what: str, kind: str) -> str:
    return _(
        "%(name)s is %(what)s, not a document: upload the %(kind)s as %(accepted)s."
    ) % {
        "name": name,
        "what": what,
        "kind": _KIND_NAMES[kind],
        "accepted": _ACCEPTED_WORDS[kind],
    }


_SUFFIXES = {
    PDF: (".pdf",),
    XLSX: (".xlsx",),
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
}

_PROGRAM_TYPES = {
    "application/x-executable": gettext_lazy("an executable"),
    "application/x-pie-executable": gettext_lazy("an executable"),
    "application/x-sharedlib": gettext_lazy("a shared library"),
    "application/x-mach-binary": gettext_lazy("a macOS program"),
    "application/vnd.microsoft.portable-executable": gettext_lazy("a Windows program"),
    "application/x-dosexec": gettext_lazy("a Windows program"),
    "application/x-msdownload": gettext_lazy("a Windows program"),
    "application/x-ms-shortcut": gettext_lazy("a Windows shortcut"),
    "application/java-archive": gettext_lazy("a Java program (JAR)"),
    "application/x-java-applet": gettext_lazy("a Java program"),
    "text/x-shellscript": gettext_lazy("a script"),
    "application/x-shellscript": gettext_lazy("a script"),
}
_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_TYPES = {
    "application/x-ole-storage",
    "application/cdfv2",
    "application/cdfv2-corrupt",
    "application/cdfv2-encrypted",
    "application/encrypted",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-office",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-outlook",
    "application/x-msi",
}
_ZIP_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/octet-stream",
}


def _sniff(data: bytes) -> str:
    """The content type libmagic gives the first bytes; the name is not used."""
    # Imported here so the module loads (and can say why) without libmagic.
    import magic

    return magic.from_buffer(data[:_SNIFF_BYTES], mime=True)


def _program(data: bytes, content_type: str) -> tuple[str, str] | None:
    """What kind of program the data is and its content type, or None."""
    # Our own magic numbers first: libmagic calls a bare MZ stub text/plain.
    head = data[:4]
    if head == b"\x7fELF":
        return _("a Linux or Unix program (ELF)"), "application/x-executable"
    if head[:2] == b"MZ":
        return (
            _("a Windows program (PE/MZ)"),
            "application/vnd.microsoft.portable-executable",
        )
    if head in _MACHO_MAGICS:
        return _("a macOS program (Mach-O) or Java class"), "application/x-mach-binary"
    if head[:2] == b"#!":
        return _("a script (#!)"), "text/x-shellscript"
    if content_type in _PROGRAM_TYPES:
        what = _PROGRAM_TYPES[content_type]
        return _("%(what)s (%(type)s)") % {"what": what, "type": content_type}, (
            content_type
        )
    if content_type.startswith("text/x-script"):
        return _("a script (%(type)s)") % {"type": content_type}, content_type
    return None


def _is_ole2(data: bytes, content_type: str) -> bool:
    return data[:8] == _OLE2_MAGIC or content_type.lower() in _OLE2_TYPES


def _is_zip(data: bytes, content_type: str) -> bool:
    return (
        data[:4] == b"PK\x03\x04"
        or (content_type in _ZIP_TYPES and zipfile.is_zipfile(io.BytesIO(data)))
        or content_type.startswith("application/vnd.openxmlformats-officedocument")
    )


def _inspect_zip(data: bytes, name: str) -> tuple[str, str | None]:
    """The real type of a zip-based file and why it is refused, if it is.

    Only the zip's directory and [Content_Types].xml are read, never a sheet;
    the sizes checked are the ones zipfile enforces when it inflates a member.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # zipfile raises many kinds on a damaged archive.
        return "application/zip", (
            _(
                "%(name)s is damaged and could not be opened: save it again from the "
                "program that made it and upload that."
            )
            % {"name": name}
        )
    with archive:
        members = archive.infolist()
        names = {member.filename.lower() for member in members}
        content_type = _zip_content_type(names)
        bomb = _zip_bomb(members, name)
        if bomb:
            return content_type, bomb
        declared = ""
        entry = next(
            (m for m in members if m.filename.lower() == "[content_types].xml"), None
        )
        if entry is not None and entry.file_size <= 1024 * 1024:
            try:
                declared = archive.read(entry).decode("utf-8", "replace").lower()
            except Exception:  # Unreadable: judged by member names alone.
                pass
    macros = any(
        n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in names
    ) or any(word in declared for word in ("macroenabled", "vbaproject", "macrosheet"))
    if not macros:
        return content_type, None
    if content_type == XLSX:
        content_type = XLSM
    elif content_type == DOCX:
        content_type = "application/vnd.ms-word.document.macroEnabled.12"
    return content_type, (
        _(
            "%(name)s is a macro-enabled Office file, which we do not accept: save it "
            "as an Excel Workbook (.xlsx) without macros, or export it as PDF, and "
            "upload that."
        )
        % {"name": name}
    )


def _zip_content_type(names: set[str]) -> str:
    """What a zip is, by its member names (an OOXML package or a plain archive)."""
    if "xl/workbook.xml" in names:
        return XLSX
    if "xl/workbook.bin" in names:
        return "application/vnd.ms-excel.sheet.binary.macroEnabled.12"
    if "word/document.xml" in names:
        return DOCX
    if "ppt/presentation.xml" in names:
        return (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        )
    if "meta-inf/manifest.mf" in names or any(n.endswith(".class") for n in names):
        return "application/java-archive"
    if "mimetype" in names and "content.xml" in names:
        return "application/vnd.oasis.opendocument.spreadsheet"
    return "application/zip"


def _zip_bomb(members: list[zipfile.ZipInfo], name: str) -> str | None:
    """Why the declared sizes make a zip unsafe to open, or None."""
    if len(members) > MAX_ZIP_MEMBERS:
        return _(
            "%(name)s holds %(count)s files, more than a spreadsheet ever needs: "
            "save it again from your spreadsheet program and upload that."
        ) % {"name": name, "count": len(members)}
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        return _(
            "%(name)s would unpack to %(size)s, over the %(limit)s we open: save it "
            "again without unused sheets or images, or export it as PDF, and upload "
            "that."
        ) % {
            "name": name,
            "size": _megabytes(unpacked),
            "limit": _megabytes(MAX_UNCOMPRESSED_BYTES),
        }
    for member in members:
        if (
            member.file_size > _RATIO_FLOOR_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            return _(
                "%(name)s is compressed more than %(ratio)s to 1 (%(member)s), which "
                "we refuse as unsafe: save it again from your spreadsheet program, "
                "or export it as PDF, and upload that."
            ) % {
                "name": name,
                "ratio": MAX_COMPRESSION_RATIO,
                "member": member.filename,
            }
    return None


_ACTIVE_PDF_NAMES = {"/JavaScript", "/JS", "/Launch"}
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})+)")
_PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _pdf_problems(data: bytes, name: str) -> list[str]:
    """Why a PDF is refused: scripts, launch actions, a password, or damage."""
    active = _(
        "%(name)s contains JavaScript or actions that start programs, which we do "
        "not accept: print it to a new PDF (Print > Save as PDF) and upload that."
    ) % {"name": name}
    # Stream bodies are skipped: compressed bytes spell /JS by chance.
    for match in _PDF_NAME.finditer(_PDF_STREAM.sub(b" ", data)):
        if "/" + _pdf_name(match.group(1)) in _ACTIVE_PDF_NAMES:
            return [active]
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return [
                _(
                    "%(name)s is protected by a password: upload a copy without a "
                    "password."
                )
                % {"name": name}
            ]
        # The object graph covers what the raw scan cannot: compressed objects.
        if _pdf_has_active_content(reader.trailer):
            return [active]
    except Exception:  # pypdf raises many kinds on malformed input.
        return [
            _(
                "%(name)s could not be opened as a PDF, so it may be damaged: export "
                "it again as PDF and upload that."
            )
            % {"name": name}
        ]
    return []


def _pdf_name(raw: bytes) -> str:
    """A PDF name with its #xx escapes decoded, as a viewer reads it."""
    return re.sub(
        rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw
    ).decode("latin-1")


def _pdf_has_active_content(root: Any) -> bool:
    """Whether any object reachable from root names JavaScript or a launch."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    stack = [root]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack and visited < _MAX_PDF_OBJECTS:
        node = stack.pop()
        visited += 1
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key_name, value in node.items():
                if key_name in _ACTIVE_PDF_NAMES or (
                    isinstance(value, NameObject) and value in _ACTIVE_PDF_NAMES
                ):
                    return True
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False


def _megabytes(size: int) -> str:
    if size < 1024:
        return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": f"{size / 1024:.0f}"}
    return _("%(size)s MB") % {"size": f"{size / (1024 * 1024):.1f}".removesuffix(".0")}


# --- Reading the invoice ------------------------------------------------------


def read_invoice(*, data: bytes, content_type: str) -> InvoiceReading | None:
    """The invoice total and currency, or None when nothing credible is found."""
    try:
        if content_type == XLSX:
            return _read_xlsx(data)
        if content_type == PDF:
            return _read_pdf(data)
    except Exception:  # A file we cannot read is a warning, never a crash.
        return None
    return None


_CODES = (
    "EUR USD CNY GBP JPY CHF HKD SGD CAD AUD NZD SEK NOK DKK ISK PLN CZK HUF RON "
    "BGN TRY INR KRW TWD THB VND MYR IDR PHP AED SAR QAR KWD BHD OMR ILS EGP ZAR "
    "NGN KES MAD BRL MXN ARS CLP COP PEN RUB UAH KZT PKR BDT LKR"
).split()
_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(_CODES) + r"|RMB)(?![A-Za-z])")
# Symbols that name one currency; a bare $ or ¥ does not (USD, CAD... CNY, JPY).
_SYMBOLS = (
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("NZ$", "NZD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("CN¥", "CNY"),
    ("JP¥", "JPY"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₺", "TRY"),
    ("₽", "RUB"),
    ("₴", "UAH"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("元", "CNY"),
    ("円", "JPY"),
)
_WORDS = re.compile(r"\b(euros?|renminbi|yuan)\b", re.I)
# Excel number formats: [$<symbol>-<locale id>] tells which dollar or yen it is.
_LOCALE_SYMBOL = {
    ("$", "409"): "USD",
    ("$", "1009"): "CAD",
    ("$", "c09"): "AUD",
    ("$", "1409"): "NZD",
    ("$", "3c09"): "HKD",
    ("$", "1004"): "SGD",
    ("¥", "804"): "CNY",
    ("¥", "411"): "JPY",
}

_TOTAL_STRONG = (
    r"grand\s*total|invoice\s*total|total\s*invoice(?:\s*(?:value|amount))?"
    r"|total\s*amount(?:\s*due)?|amount\s*due|total\s*due|total\s*payable"
    r"|total\s*value|total\s*ttc|montant\s*total|importe\s*total|gesamtbetrag"
    r"|rechnungsbetrag|endbetrag|gesamtsumme|总计|總計|价税合计"
)
_TOTAL_PLAIN = r"\btotal\b|\btotale\b|\bsumme\b|合计|合計"
_TOTAL = re.compile(f"(?P<strong>{_TOTAL_STRONG})|(?P<plain>{_TOTAL_PLAIN})", re.I)
_NOT_MONEY = re.compile(
    r"sub[\s-]*total|weight|\b[ng]\.?\s?w\.?(?![a-z])|\bqty\b|quantit|\bpcs\b"
    r"|pieces|packages|cartons|\bctns?\b|pallets|\bunits\b|volume|\bcbm\b|\bm3\b"
    r"|total\s*(?:vat|tax)|(?:vat|tax)\s*total|discount|小计|小計|数量|重量|件数|箱数"
    r"|毛重|净重",
    re.I,
)
_AMOUNT = re.compile(
    r"(?<![\d.,])-?(?:\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,3})?"
    r"|\d+(?:[.,]\d{1,3})?)(?!\d|[.,]\d|\s*%)"
)
_UNIT_AFTER = re.compile(
    r"\s*(?:pcs|pieces|kgs?|cartons|ctns?|pallets|units|sets|cbm|m3)\b", re.I
)
_CURRENCY_LABEL = re.compile(r"^\s*(currency|währung|devise|moneda|币种|货币)\b", re.I)


def parse_amount(text: str) -> Decimal | None:
    """A money amount written with any thousands separator and decimal mark.

    "1.234,56" and "1,234.56" are both 1234.56; a lone separator followed by
    exactly three digits is taken as thousands ("1.234" is 1234).
    """
    text = re.sub(r"[\s'’\u00a0\u202f]", "", text)
    negative = text.startswith("-")
    text = text.lstrip("-")
    if not re.fullmatch(r"\d[\d.,]*", text) or text[-1] in ".,":
        return None
    last = max(text.rfind("."), text.rfind(","))
    if last >= 0:
        mark = text[last]
        other = "," if mark == "." else "."
        decimals = len(text) - last - 1
        if other in text:
            text = text.replace(other, "")
        elif text.count(mark) > 1 or decimals == 3:
            if decimals == 3:
                text = text.replace(mark, "")
            else:
                text = text[:last].replace(mark, "") + "." + text[last + 1 :]
        last = max(text.rfind("."), text.rfind(","))
        if last >= 0:
            text = text[:last].replace(",", "") + "." + text[last + 1 :]
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return -value if negative else value


def currency_in(text: str) -> str | None:
    """The one currency a piece of text names by code or unambiguous symbol."""
    code = _code_in(text)
    if code:
        return code
    for symbol, code in _SYMBOLS:
        if symbol in text:
            return code
    word = _WORDS.search(text)
    if word:
        return "EUR" if word.group(1).lower().startswith("euro") else "CNY"
    return None


def _currency_in_format(number_format: str) -> str | None:
    for symbol, locale in re.findall(r"\[\$([^\]-]*)-([0-9A-Fa-f]+)\]", number_format):
        code = _LOCALE_SYMBOL.get((symbol.strip(), locale.lower()))
        if code:
            return code
    # Quoted literals and [$...] hold the currency when there is one.
    parts = re.findall(r'"([^"]*)"|\[\$([^\]]*)\]', number_format)
    literal = " ".join(quoted or bracketed for quoted, bracketed in parts)
    return currency_in(literal) or currency_in(number_format)


def _total_rank(label: str) -> int:
    """2 for a grand or invoice total, 1 for a plain total, 0 for no money total."""
    match = _TOTAL.search(label)
    if not match or _NOT_MONEY.search(label):
        return 0
    return 2 if match.group("strong") else 1


@dataclass
class _Cell:
    value: Any
    number_format: str


def _money(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        amount = Decimal(repr(value))
        # Float noise from formulas: cents are as fine as an invoice goes.
        if amount.as_tuple().exponent < -4:  # type: ignore[operator]
            amount = amount.quantize(Decimal("0.01"))
        return amount
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        found = _AMOUNT.findall(value)
        if len(found) == 1 and not re.search(r"[A-Za-z]{4,}", value):
            return parse_amount(found[0])
    return None


def _read_xlsx(data: bytes) -> InvoiceReading | None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if _zip_bomb(archive.infolist(), ""):
            return None
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):  # A chart sheet.
                continue
            grid: dict[tuple[int, int], _Cell] = {}
            for r, row in enumerate(worksheet.iter_rows(max_col=_MAX_COLUMNS), 1):
                if r > _MAX_ROWS:
                    break
                for c, cell in enumerate(row, 1):
                    value = getattr(cell, "value", None)
                    if value is None or value == "":
                        continue
                    grid[r, c] = _Cell(value, getattr(cell, "number_format", "") or "")
            sheets.append((worksheet.title, grid))
    finally:
        workbook.close()

    best: tuple[tuple[int, int, int, int], str, dict, int, int, int, int] | None = None
    for index, (title, grid) in enumerate(sheets):
        for (r, c), cell in grid.items():
            if not isinstance(cell.value, str) or len(cell.value) > 60:
                continue
            rank = _total_rank(cell.value)
            if not rank:
                continue
            found = _value_beside(grid, r, c)
            if found is None:
                continue
            vr, vc = found
            key = (rank, -index, r, c)
            if best is None or key > best[0]:
                best = (key, title, grid, r, c, vr, vc)
    if best is None:
        return None
    _key, title, grid, r, c, vr, vc = best
    total = _money(grid[vr, vc].value)
    currency = _xlsx_currency(grid, r, c, vr, vc)
    if not re.fullmatch(r"\w+", title):
        title = "'" + title.replace("'", "''") + "'"  # As Excel writes it.
    return InvoiceReading(
        total=total,
        currency=currency,
        source=_("XLSX cell %(cell)s")
        % {"cell": f"{title}!{get_column_letter(vc)}{vr}"},
    )


def _value_beside(
    grid: dict[tuple[int, int], _Cell], r: int, c: int
) -> tuple[int, int] | None:
    """The positive amount to the right of a label (past a currency), or below."""
    for col in range(c + 1, c + 9):
        cell = grid.get((r, col))
        if cell is None:
            continue
        amount = _money(cell.value)
        if amount is not None:
            return (r, col) if amount > 0 else None
        if not (isinstance(cell.value, str) and currency_in(cell.value)):
            break
    for row in (r + 1, r + 2):
        cell = grid.get((row, c))
        if cell is not None:
            amount = _money(cell.value)
            return (row, c) if amount is not None and amount > 0 else None
    return None


def _xlsx_currency(
    grid: dict[tuple[int, int], _Cell], r: int, c: int, vr: int, vc: int
) -> str | None:
    label, value = grid[r, c], grid[vr, vc]
    for found in (
        currency_in(label.value),
        currency_in(value.value) if isinstance(value.value, str) else None,
        _currency_in_format(value.number_format),
    ):
        if found:
            return found
    for row in range(min(r, vr) - 1, max(r, vr) + 2):
        for col in range(min(c, vc) - 1, max(c, vc) + 3):
            near = grid.get((row, col))
            if near and isinstance(near.value, str) and len(near.value) <= 20:
                found = currency_in(near.value)
                if found:
                    return found
    for (row, col), cell in sorted(grid.items()):
        if isinstance(cell.value, str) and _CURRENCY_LABEL.match(cell.value):
            after = cell.value.split(":", 1)[1] if ":" in cell.value else ""
            for near in (after, grid.get((row, col + 1)), grid.get((row + 1, col))):
                text = near.value if isinstance(near, _Cell) else near
                if isinstance(text, str) and currency_in(text):
                    return currency_in(text)
    return _only_one(
        [_currency_in_format(cell.number_format) for cell in grid.values()]
        + [
            currency_in(cell.value)
            for cell in grid.values()
            if isinstance(cell.value, str) and len(cell.value) <= 20
        ]
    )


def _only_one(found: list[str | None]) -> str | None:
    codes = {code for code in found if code}
    return codes.pop() if len(codes) == 1 else None


def _read_pdf(data: bytes) -> InvoiceReading | None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    lines: list[tuple[int, str]] = []
    for number, page in enumerate(reader.pages[:_MAX_PDF_PAGES], 1):
        text = page.extract_text() or ""
        lines.extend((number, line) for line in text.splitlines() if line.strip())

    best: tuple[tuple[int, int], int, Decimal, str] | None = None
    for index, (page, line) in enumerate(lines):
        for match in _TOTAL.finditer(line):
            rank = 2 if match.group("strong") else 1
            after = line[match.end() :]
            head = re.split(r"\d", after, maxsplit=1)[0]
            if _NOT_MONEY.search(line[: match.start()] + match.group() + head):
                continue
            amount, where = _last_amount(after), after
            if amount is None and index + 1 < len(lines):
                where = lines[index + 1][1]
                amount = _last_amount(where)
            if amount is None or amount <= 0:
                continue
            key = (rank, index)
            if best is None or key > best[0]:
                best = (key, page, amount, where + " " + line)
            break
    if best is None:
        return None
    _key, page, amount, context = best
    currency = currency_in(context) or _pdf_currency([line for _n, line in lines])
    return InvoiceReading(
        total=amount,
        currency=currency,
        source=_("PDF text page %(page)s") % {"page": page},
    )


def _last_amount(text: str) -> Decimal | None:
    amounts = [
        match.group()
        for match in _AMOUNT.finditer(text)
        if not _UNIT_AFTER.match(text, match.end())
    ]
    return parse_amount(amounts[-1]) if amounts else None


def _pdf_currency(lines: list[str]) -> str | None:
    for line in lines:
        label = _CURRENCY_LABEL.match(line)
        if label:
            found = currency_in(line[label.end() :])
            if found:
                return found
    return _only_one([_code_in(line) for line in lines])


def _code_in(text: str) -> str | None:
    match = _CODE.search(text)
    if match is None:
        return None
    return "CNY" if match.group(1) == "RMB" else match.group(1)


# --- Reconciling with the declaration -----------------------------------------


def reconcile_invoice(
    *,
    reading: InvoiceReading,
    declared_total: Decimal,
    declared_currency: str,
    tolerance_percent: Decimal = Decimal("2"),
    tolerance_abs: Decimal = Decimal("1.00"),
) -> list[str]:
    """What the user must fix where the invoice and the declared value disagree.

    A currency mismatch is reported alone: totals in different currencies are
    not compared. An invoice without a currency is compared as if in the
    declared one.
    """
    declared_currency = declared_currency.strip().upper()
    if reading.currency and reading.currency != declared_currency:
        return [
            _(
                "The invoice is in %(invoice_currency)s but the declaration says "
                "%(declared_currency)s: declare the values in the invoice currency, "
                "or upload the invoice that belongs to this declaration."
            )
            % {
                "invoice_currency": reading.currency,
                "declared_currency": declared_currency,
            }
        ]
    if reading.total is None:
        return []
    difference = abs(reading.total - declared_total)
    tolerance = max(tolerance_abs, abs(declared_total) * tolerance_percent / 100)
    if difference <= tolerance:
        return []
    invoice_currency = reading.currency or declared_currency
    if declared_total:
        percent = difference * 100 / abs(declared_total)
        places = Decimal("1") if percent >= 1 else Decimal("0.1")
        by = f"{percent.quantize(places, rounding=ROUND_HALF_UP)}%"
    else:
        by = f"{invoice_currency} {difference:,.2f}"
    return [
        _(
            "The invoice total %(invoice_currency)s %(invoice_total)s differs from "
            "the declared value %(declared_currency)s %(declared_total)s by %(by)s: "
            "correct the item values or upload the right invoice."
        )
        % {
            "invoice_currency": invoice_currency,
            "invoice_total": f"{reading.total:,.2f}",
            "declared_currency": declared_currency,
            "declared_total": f"{declared_total:,.2f}",
            "by": by,
        }
    ]
