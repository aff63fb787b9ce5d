"""Builders for uploaded documents: invoices, scans, programs and traps."""

import io
import struct
import zipfile
import zlib
from decimal import Decimal

import openpyxl

XLSX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/xl/workbook.xml" ContentType="{main}"/></Types>'
)
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def pdf(lines: list[str], *, catalog: str = "", objects: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF showing lines of Helvetica text, with correct xref offsets.

    catalog is added to the document catalog; objects are numbered from 6.
    """
    text = " ".join(f"({_pdf_string(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 72 740 Td {text} ET".encode("cp1252")
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        *(body.encode() for body in objects),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(bodies) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def xlsx(
    rows: dict[str, object],
    *,
    title: str = "Invoice",
    formats: dict[str, str] | None = None,
) -> bytes:
    """A workbook whose first sheet has the given cells, e.g. {"E23": "Total"}."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for ref, value in rows.items():
        sheet[ref] = value
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def invoice_xlsx(
    *, total: Decimal | float = 1234.5, currency: str | None = "EUR"
) -> bytes:
    """A commercial invoice: header, currency, three lines, a subtotal and a total."""
    rows: dict[str, object] = {
        "A1": "COMMERCIAL INVOICE",
        "A3": "Invoice no.",
        "B3": "INV-2024-0017",
        "A10": "Description",
        "D10": "Qty",
        "E10": "Unit price",
        "F10": "Amount",
        "A11": "Cotton T-shirts",
        "D11": 100,
        "E11": 6.5,
        "F11": 650.0,
        "A12": "Denim jeans",
        "D12": 30,
        "E12": 19.485,
        "F12": 584.5,
        "E20": "Total net weight",
        "F20": 48.2,
        "E21": "Subtotal",
        "F21": float(total) - 10,
        "E23": "Total",
        "F23": float(total),
    }
    if currency:
        rows |= {"A5": "Currency", "B5": currency}
    return xlsx(rows)


def png() -> bytes:
    """A valid 1x1 red PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JFIF JPEG, as a scanner writes it (enough for libmagic)."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
        + b"\xff\xdb\x00\x43\x00"
        + bytes(range(1, 65))
        + b"\xff\xd9"
    )


def elf() -> bytes:
    """The header of a 64-bit Linux executable."""
    ident = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
    return (
        ident
        + struct.pack(
            "<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0
        )
        + b"\x00" * 200
    )


def pe() -> bytes:
    """A DOS stub pointing to a PE header, as every Windows .exe starts."""
    stub = bytearray(b"MZ" + b"\x00" * 0x3E)
    stub[0x3C:0x40] = struct.pack("<I", 0x80)
    stub += b"\x00" * (0x80 - len(stub))
    return bytes(stub) + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 1) + b"\x00" * 200


def ole2() -> bytes:
    """The header of a legacy Office (.xls/.doc) compound file."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00"
        + (b"\xfe\xff\x09\x00" + b"\x00" * 484)
    )


def rezip(data: bytes, *, add: dict[str, bytes], main_type: str | None = None) -> bytes:
    """The same workbook with members added and optionally another main type."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            body = source.read(item)
            if main_type and item.filename == "[Content_Types].xml":
                body = body.replace(XLSX_MAIN.encode(), main_type.encode())
            target.writestr(item, body)
        for name, body in add.items():
            target.writestr(name, body)
    return out.getvalue()


def xlsx_with_big_sheet(megabytes: int) -> bytes:
    """An XLSX-shaped zip whose sheet inflates to megabytes of repeated rows."""
    out = io.BytesIO()
    row = b"<row><c><v>0</v></c></row>" * 40_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", XLSX_CONTENT_TYPES.format(main=XLSX_MAIN)
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            written = 0
            while written < megabytes * 1024 * 1024:
                sheet.write(row)
                written += len(row)
    return out.getvalue()


def pdf_with_compressed_script() -> bytes:
    """A PDF 1.5 whose open action is JavaScript hidden in a compressed object stream.

    Nothing in the file's raw bytes spells /JavaScript: only a reader that
    inflates the object stream (as every viewer does) finds it.
    """
    stream = b"BT /F1 12 Tf 72 740 Td (Total EUR 38.00) Tj ET"
    script = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"6 0 "
    packed = zlib.compress(header + script)
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        7: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\n"
        % (len(header), len(packed))
        + b"stream\n"
        + packed
        + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[8] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    for number in range(1, 9):
        if number == 6:
            rows.append(struct.pack(">BIH", 2, 7, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    table = b"".join(rows)
    out += (
        b"8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        % len(table)
        + b"stream\n"
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[8]
    return bytes(out)


def encrypted_pdf(lines: list[str], *, user_password: str) -> bytes:
    """The text PDF encrypted with AES-256; an empty user password opens it."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf(lines))))
    writer.encrypt(
        user_password=user_password, owner_password="owner", algorithm="AES-256"
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
