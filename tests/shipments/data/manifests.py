"""Builders for manifest files: CSV and XLSX in their messy shapes, and traps."""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence

import openpyxl

HEADER: tuple[str, ...] = (
    "mawb",
    "flight_number",
    "departure_airport",
    "arrival_airport",
    "arrival_date",
    "hawb",
    "consignor_name",
    "consignor_address",
    "consignor_city",
    "consignor_postcode",
    "consignor_country",
    "consignee_name",
    "consignee_address",
    "consignee_city",
    "consignee_postcode",
    "consignee_country",
    "consignee_eori",
    "ioss_number",
    "vat_path",
    "currency",
    "transport_cost",
    "insurance_cost",
    "gross_mass_kg",
    "packages",
    "description",
    "hs_code",
    "origin_country",
    "quantity",
    "item_value",
    "net_mass_kg",
    "product_id",
    "manufacturer_product_id",
)

_BASE: dict[str, str] = {
    "mawb": "172-12345675",
    "flight_number": "CK251",
    "departure_airport": "CGO",
    "arrival_airport": "LGG",
    "arrival_date": "2026-11-20",
    "hawb": "CN000000001BE",
    "consignor_name": "Zhengzhou Bright Home Co. Ltd",
    "consignor_address": "88 Jingkai Rd",
    "consignor_city": "Zhengzhou",
    "consignor_postcode": "450000",
    "consignor_country": "CN",
    "consignee_name": "Anne Dupont",
    "consignee_address": "Rue Saint-Gilles 12",
    "consignee_city": "Liège",
    "consignee_postcode": "4000",
    "consignee_country": "BE",
    "consignee_eori": "",
    "ioss_number": "IM0560000012",
    "vat_path": "IOSS",
    "currency": "EUR",
    "transport_cost": "2.50",
    "insurance_cost": "0",
    "gross_mass_kg": "0.42",
    "packages": "1",
    "description": "Cotton T-shirt for men",
    "hs_code": "610910",
    "origin_country": "CN",
    "quantity": "2",
    "item_value": "18.00",
    "net_mass_kg": "0.38",
    "product_id": "SKU-TS-001",
    "manufacturer_product_id": "5412345000013",
}


def row(**changes: str) -> dict[str, str]:
    """One goods line of the contract's example, with some values changed."""
    unknown = set(changes) - set(_BASE)
    if unknown:
        raise ValueError(f"Not manifest columns: {sorted(unknown)}")
    return {**_BASE, **changes}


def _quote(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(
    rows: Iterable[dict[str, str]],
    *,
    header: Sequence[str] = HEADER,
    columns: Sequence[str] | None = None,
    newline: str = "\n",
) -> str:
    """CSV text: header as written, values taken from each row by columns.

    columns defaults to header; a column a row lacks is written empty.
    """
    keys = list(columns or header)
    lines = [",".join(_quote(h) for h in header)]
    for values in rows:
        lines.append(",".join(_quote(values.get(k, "")) for k in keys))
    return newline.join(lines) + newline


def csv_bytes(
    rows: Iterable[dict[str, str]], *, bom: bool = False, **options: object
) -> bytes:
    """csv_text encoded as UTF-8, with a byte order mark when bom."""
    data = csv_text(rows, **options).encode()  # type: ignore[arg-type]
    return b"\xef\xbb\xbf" + data if bom else data


class Formula:
    """A cell formula for xlsx_bytes, such as Formula("=SUM(A1:A2)")."""

    def __init__(self, text: str) -> None:
        self.text = text


def xlsx_bytes(
    rows: Iterable[Sequence[object]], *, header: Sequence[str] = HEADER
) -> bytes:
    """A workbook whose first sheet has header in row 1 and the rows below.

    Text starting with = is stored as text, as a forwarder's typed value is; a
    Formula value is stored as a formula (with no cached result, as openpyxl
    writes it).
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Manifest"
    sheet.append(list(header))
    for values in rows:
        sheet.append([v.text if isinstance(v, Formula) else v for v in values])
        for cell, value in zip(sheet[sheet.max_row], values, strict=False):
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: an XLSX with a VBA project, declared as such."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([list(row().values())])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml"
                    b".sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            target.writestr(member, data)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)
    return out.getvalue()


def xlsx_with_doctype() -> bytes:
    """An XLSX whose sheet declares a DTD with an external entity (XXE)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                data = doctype + data
            target.writestr(member.filename, data)
    return out.getvalue()


def xlsx_ratio_bomb(megabytes: int = 20) -> bytes:
    """An XLSX whose sheet inflates from a few KB to many MB (ratio ~1000:1)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data + b" " * (megabytes * 1024 * 1024)
            target.writestr(member.filename, data)
    return out.getvalue()


def xlsx_declaring_huge_member(declared: int = 0xFFFF_FFF0) -> bytes:
    """An XLSX whose zip directory says a member unpacks to ~4 GB.

    The member really holds a few bytes: a reader that trusted the declared size
    before opening would be fooled, one that inflated it would fail its CRC.
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member))
        target.writestr("xl/media/padding.bin", b"\x00" * 1024)
    data = bytearray(out.getvalue())
    name = b"xl/media/padding.bin"
    local = data.find(b"PK\x03\x04" + data[4:4])  # First local header.
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def zip_with_members(count: int) -> bytes:
    """An XLSX-looking zip holding count tiny files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        target.writestr("xl/workbook.xml", b"<workbook/>")
        for n in range(count):
            target.writestr(f"xl/media/{n}.txt", b"x")
    return out.getvalue()


def png_bytes() -> bytes:
    """A valid 1x1 PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    """A minimal Word document (a zip with word/document.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def large_csv(path: str, consignments: int) -> int:
    """Write a manifest of consignments, half of them with two lines; rows written.

    Values vary from row to row (names, HAWBs, amounts) as in a real flight.
    """
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\r\n")
        for n in range(consignments):
            lines = 2 if n % 2 else 1
            for line in range(lines):
                values = [
                    "172-12345675",
                    "CK251",
                    "CGO",
                    "LGG",
                    "2026-11-20",
                    f"CN{n:09d}BE",
                    f"Shenzhen Seller {n % 997} Co. Ltd",
                    f"{n % 300} Nanshan Rd",
                    "Shenzhen",
                    "518000",
                    "CN",
                    f"Client {n} Müller-Lüdenscheidt",
                    f"Rue {n % 500} 12",
                    "Liège",
                    f"{4000 + n % 90}",
                    "BE",
                    "",
                    "IM0560000012" if n % 3 else "",
                    "IOSS" if n % 3 else "STANDARD",
                    "EUR",
                    f"{n % 7}.50",
                    "0",
                    f"0.{n % 90 + 10}",
                    "1",
                    f'"Cotton T-shirt, size {line + 1}"',
                    "610910",
                    "CN",
                    str(1 + n % 4),
                    f"{n % 140}.{n % 100:02d}",
                    f"0.{n % 80 + 10}",
                    f"SKU-{n % 5000}",
                    f"69{n:011d}",
                ]
                out.write(",".join(values) + "\r\n")
                written += 1
    return written
