"""Reading forwarders' manifest files: messy CSVs, XLSX workbooks and traps."""

import datetime
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from shipments.manifest_parsing import (
    COLUMNS,
    REQUIRED_COLUMNS,
    DecimalError,
    ManifestReader,
    ManifestRefused,
    ParsedRow,
    conflicting_fields,
    consignment_fields,
    missing_fields,
    neutralise_cell,
    open_manifest,
    parse_decimal,
)
from tests.shipments.data.manifests import (
    HEADER,
    Formula,
    csv_bytes,
    csv_text,
    docx_bytes,
    large_csv,
    png_bytes,
    row,
    xlsm_bytes,
    xlsx_bytes,
    xlsx_declaring_huge_member,
    xlsx_ratio_bomb,
    xlsx_with_doctype,
    zip_with_members,
)

LIMIT = 50 * 1024 * 1024


def _open(
    tmp_path: Path, data: bytes, name: str = "manifest.csv", max_bytes: int = LIMIT
) -> ManifestReader:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return open_manifest(path=path, filename=name, max_bytes=max_bytes)


def _rows(
    tmp_path: Path, data: bytes, name: str = "manifest.csv"
) -> tuple[ManifestReader, list[ParsedRow]]:
    with _open(tmp_path, data, name) as reader:
        return reader, list(reader)


def _refusal(tmp_path: Path, data: bytes, name: str = "manifest.csv", **kw) -> str:
    with pytest.raises(ManifestRefused) as caught:
        _open(tmp_path, data, name, **kw)
    return str(caught.value)


# --- The contract ---------------------------------------------------------------


def test_columns_follow_the_contract():
    """COLUMNS lists the contract's 31 columns in order, with level, required, kind."""
    assert tuple(c.name for c in COLUMNS) == HEADER
    by_name = {c.name: c for c in COLUMNS}
    assert by_name["mawb"].level == "shipment"
    assert by_name["hawb"].level == "consignment"
    assert by_name["item_value"].level == "item"
    assert by_name["consignee_postcode"].required == "conditional"
    assert by_name["net_mass_kg"].required is False
    assert by_name["arrival_date"].kind == "date"
    assert by_name["quantity"].kind == "integer"
    assert by_name["gross_mass_kg"].kind == "decimal"
    assert "consignee_postcode" not in REQUIRED_COLUMNS
    assert len(REQUIRED_COLUMNS) == 21


# --- CSV shapes -----------------------------------------------------------------


def test_contract_example_is_read_row_by_row(tmp_path):
    """The contract's example reads as three rows with every value, and no issue."""
    rows = [
        row(),
        row(hawb="CN000000002BE", description="Wireless earphones"),
        row(hawb="CN000000002BE", description="Silicone phone case"),
    ]
    reader, parsed = _rows(tmp_path, csv_bytes(rows))
    assert reader.format == "csv"
    assert reader.columns == HEADER
    assert reader.warnings == ()
    assert [p.row for p in parsed] == [1, 2, 3]
    assert all(p.errors == () for p in parsed)
    assert parsed[0].values == row()
    assert parsed[2].values["description"] == "Silicone phone case"


def test_bom_and_crlf_read_the_same_as_plain_utf8(tmp_path):
    """A byte order mark and Windows line ends change nothing in the values."""
    rows = [row(), row(hawb="CN2")]
    _, plain = _rows(tmp_path, csv_bytes(rows))
    _, windows = _rows(tmp_path, csv_bytes(rows, bom=True, newline="\r\n"))
    assert [p.values for p in windows] == [p.values for p in plain]
    assert windows[0].values["mawb"] == "172-12345675"  # No BOM stuck to it.


def test_quoted_line_breaks_stay_in_one_value(tmp_path):
    """A description with quoted line breaks is one row, its breaks made spaces."""
    rows = [row(description="Cotton T-shirt\r\nfor men,\nsize L"), row(hawb="CN2")]
    _, parsed = _rows(tmp_path, csv_bytes(rows, newline="\r\n"))
    assert len(parsed) == 2
    assert parsed[0].values["description"] == "Cotton T-shirt for men, size L"
    assert parsed[1].row == 2
    assert parsed[1].values["hawb"] == "CN2"


def test_chinese_and_accented_names_are_kept(tmp_path):
    """Chinese and accented names come through unchanged."""
    rows = [
        row(consignor_name="郑州明亮家居有限公司", consignor_city="郑州"),
        row(
            hawb="CN2", consignee_name="Zoë Müller-Łukasiewicz", consignee_city="Liège"
        ),
    ]
    _, parsed = _rows(tmp_path, csv_bytes(rows, bom=True))
    assert parsed[0].values["consignor_name"] == "郑州明亮家居有限公司"
    assert parsed[0].values["consignor_city"] == "郑州"
    assert parsed[1].values["consignee_name"] == "Zoë Müller-Łukasiewicz"
    assert all(p.errors == () for p in parsed)


def test_header_case_spacing_and_hyphens_are_ignored(tmp_path):
    """'  MAWB ', 'Flight Number' and 'item-value' name the contract's columns."""
    header = [
        f"  {h.upper()} " if n % 3 == 0 else h.replace("_", " ").title()
        for n, h in enumerate(HEADER)
    ]
    header[HEADER.index("item_value")] = "Item-Value"
    data = csv_bytes([row()], header=header, columns=HEADER)
    reader, parsed = _rows(tmp_path, data)
    assert reader.columns == HEADER
    assert parsed[0].values == row()


def test_column_order_is_free(tmp_path):
    """Columns may come in any order."""
    header = list(reversed(HEADER))
    _, parsed = _rows(tmp_path, csv_bytes([row()], header=header))
    assert parsed[0].values == row()


def test_unknown_columns_are_ignored_with_one_warning(tmp_path):
    """Unknown columns are ignored and named once in the warnings."""
    header = [*HEADER[:5], "Shipper Ref", *HEADER[5:], "notes"]
    rows = [{**row(), "Shipper Ref": "X1", "notes": "fragile"}] * 3
    reader, parsed = _rows(tmp_path, csv_bytes(rows, header=header))
    assert len(reader.warnings) == 1
    assert "'Shipper Ref', 'notes'" in reader.warnings[0]
    assert "ignored" in reader.warnings[0]
    assert parsed[0].values == row()
    assert "notes" not in parsed[0].values


def test_missing_optional_columns_read_as_empty(tmp_path):
    """Without net_mass_kg, product_id and manufacturer_product_id the file reads;
    those values are empty (the rule book judges the identifiers)."""
    optional = ("net_mass_kg", "product_id", "manufacturer_product_id")
    header = [h for h in HEADER if h not in optional]
    reader, parsed = _rows(tmp_path, csv_bytes([row()], header=header))
    assert "net_mass_kg" not in reader.columns
    assert parsed[0].errors == ()
    assert parsed[0].values["net_mass_kg"] == ""
    assert parsed[0].values["product_id"] == ""
    assert parsed[0].values["manufacturer_product_id"] == ""
    assert parsed[0].values["item_value"] == "18.00"


def test_empty_rows_anywhere_are_skipped_silently(tmp_path):
    """Blank lines, comma-only and space-only rows are skipped; row numbers count
    them, so row 4 is the fourth line under the header."""
    text = csv_text([row()], newline="\r\n")
    text = "\r\n" + text + "\r\n" + "," * 30 + "\r\n"
    text += csv_text([row(hawb="CN4")]).split("\n", 1)[1].replace("\n", "\r\n")
    text += ("  ," * 30 + "\r\n") + "\r\n\r\n\r\n"
    reader, parsed = _rows(tmp_path, text.encode())
    assert [p.row for p in parsed] == [1, 4]
    assert [p.values["hawb"] for p in parsed] == ["CN000000001BE", "CN4"]
    assert all(p.errors == () for p in parsed)
    assert reader.warnings == ()


def test_trailing_empty_cells_are_tolerated(tmp_path):
    """A header and rows ending in extra commas, as some exports write, read fine."""
    text = csv_text([row(), row(hawb="CN2")]).replace("\n", ",,\n")
    _, parsed = _rows(tmp_path, text.encode())
    assert [p.errors for p in parsed] == [(), ()]


def test_values_are_normalised(tmp_path):
    """Codes are upper-cased, HS codes lose dots and spaces, the MAWB gets its
    dash and surrounding spaces go."""
    messy = row(
        mawb="172 1234 5675",
        flight_number="ck 251",
        departure_airport=" cgo",
        consignee_country="be ",
        currency="eur",
        vat_path="ioss",
        hs_code="6109.10 00",
        origin_country="cn",
        consignee_name="  Anne Dupont ",
    )
    _, parsed = _rows(tmp_path, csv_bytes([messy]))
    values = parsed[0].values
    assert values["mawb"] == "172-12345675"
    assert values["flight_number"] == "CK251"
    assert values["departure_airport"] == "CGO"
    assert values["consignee_country"] == "BE"
    assert values["currency"] == "EUR"
    assert values["vat_path"] == "IOSS"
    assert values["hs_code"] == "61091000"
    assert values["origin_country"] == "CN"
    assert values["consignee_name"] == "Anne Dupont"


# --- Row errors -----------------------------------------------------------------


def test_comma_decimal_is_a_row_error_and_other_rows_are_fine(tmp_path):
    """'18,50' is an error on that row and column; the rows around it are read."""
    rows = [row(hawb="CN1"), row(hawb="CN2", item_value="18,50"), row(hawb="CN3")]
    _, parsed = _rows(tmp_path, csv_bytes(rows))
    assert [p.values["hawb"] for p in parsed] == ["CN1", "CN2", "CN3"]
    assert parsed[0].errors == () and parsed[2].errors == ()
    (error,) = parsed[1].errors
    assert error.code == "ROW-DECIMAL"
    assert error.column == "item_value"
    assert error.message == "row 2, item_value: '18,50' uses a comma; write 18.50"


def test_wrong_column_count_is_a_row_error(tmp_path):
    """A row with an unquoted comma has one column too many: an error saying the
    counts, and the next row is read."""
    text = csv_text([row(hawb="CN1"), row(hawb="CN2"), row(hawb="CN3")])
    lines = text.split("\n")
    lines[2] = lines[2].replace("Cotton T-shirt for men", "Cotton T-shirt, for men")
    _, parsed = _rows(tmp_path, "\n".join(lines).encode())
    assert len(parsed) == 3
    (error,) = parsed[1].errors
    assert error.code == "ROW-COLUMNS"
    assert "has 33 columns where the header has 32" in error.message
    assert error.message.startswith("row 2: ")
    assert parsed[2].errors == ()


def test_short_row_is_a_row_error(tmp_path):
    """A row missing columns at the end is an error, not silently padded."""
    text = csv_text([row(hawb="CN1"), row(hawb="CN2")])
    lines = text.split("\n")
    lines[2] = lines[2].rsplit(",", 3)[0]
    _, parsed = _rows(tmp_path, "\n".join(lines).encode())
    assert parsed[0].errors == ()
    assert [e.code for e in parsed[1].errors] == ["ROW-COLUMNS"]
    assert "has 29 columns where the header has 32" in parsed[1].errors[0].message


def test_type_errors_name_row_column_and_fix(tmp_path):
    """Integers, dates, decimals and required values are checked per cell."""
    rows = [
        row(
            hawb="CN1",
            quantity="2.5",
            arrival_date="20/11/2026",
            gross_mass_kg="0.42 kg",
            description=" ",
        ),
        row(hawb="CN2", packages="1,000", transport_cost="1.234,50"),
    ]
    _, parsed = _rows(tmp_path, csv_bytes(rows))
    first = {e.column: e for e in parsed[0].errors}
    assert set(first) == {"arrival_date", "gross_mass_kg", "description", "quantity"}
    assert first["arrival_date"].code == "ROW-DATE"
    assert first["arrival_date"].message == (
        "row 1, arrival_date: '20/11/2026' is not written YYYY-MM-DD; write 2026-11-20"
    )
    assert first["quantity"].code == "ROW-INTEGER"
    assert "'2.5' is not a whole number" in first["quantity"].message
    assert first["gross_mass_kg"].code == "ROW-DECIMAL"
    assert "write the number alone, e.g. 0.42" in first["gross_mass_kg"].message
    assert first["description"].code == "ROW-REQUIRED"
    assert first["description"].message.startswith("row 1, description: is required")
    # Errors come in the contract's column order.
    assert [e.column for e in parsed[0].errors] == [
        "arrival_date",
        "gross_mass_kg",
        "description",
        "quantity",
    ]
    second = {e.column: e.message for e in parsed[1].errors}
    assert second["packages"] == (
        "row 2, packages: '1,000' has a thousands separator; write 1000"
    )
    assert second["transport_cost"] == (
        "row 2, transport_cost: '1.234,50' uses a comma and a thousands separator; "
        "write 1234.50"
    )


def test_consignment_values_may_be_blank_on_later_rows(tmp_path):
    """A consignment's second line may leave its consignment columns blank; only
    the hawb and the item's own required values are required on every row."""
    blank = dict.fromkeys(consignment_fields(), "")
    second = {**row(description="Phone case"), **blank, "hawb": "CN1"}
    _, parsed = _rows(tmp_path, csv_bytes([row(hawb="CN1"), second]))
    assert parsed[1].errors == ()
    assert missing_fields(parsed) == ()
    assert missing_fields(parsed[1:]) == tuple(
        name
        for name in REQUIRED_COLUMNS
        if name in consignment_fields() and name != "hawb"
    )


def test_invalid_utf8_line_is_a_row_error(tmp_path):
    """A line with a byte that is not UTF-8 is an error on that cell only."""
    data = csv_bytes([row(hawb="CN1"), row(hawb="CN2", consignee_name="X"), row()])
    data = data.replace(b",X,", b",Ren\xe9e,")
    _, parsed = _rows(tmp_path, data)
    assert len(parsed) == 3
    (error,) = parsed[1].errors
    assert error.code == "ROW-ENCODING"
    assert error.column == "consignee_name"
    assert error.message.startswith("row 2, consignee_name: is not valid UTF-8")
    assert parsed[1].values["consignee_name"] == "Ren\ufffde"
    assert parsed[0].errors == () and parsed[2].errors == ()


def test_nul_byte_deep_in_the_file_is_a_row_error(tmp_path):
    """A NUL byte past the sniffed start is an error on its cell, and dropped."""
    rows = [row(hawb=f"CN{n}") for n in range(400)]
    data = csv_bytes(rows).replace(b"CN350,", b"CN\x00350,")
    assert data.index(b"\x00") > 64 * 1024
    _, parsed = _rows(tmp_path, data)
    assert len(parsed) == 400
    bad = [p for p in parsed if p.errors]
    assert [(p.row, p.errors[0].code, p.errors[0].column) for p in bad] == [
        (351, "ROW-ENCODING", "hawb")
    ]
    assert bad[0].values["hawb"] == "CN\ufffd350"


def test_runaway_value_is_a_row_error(tmp_path):
    """A value longer than the csv module reads (a lost quote) is an error on its
    row, and the rows after it are read."""
    rows = [row(hawb="CN1"), row(hawb="CN2", description="x" * 200_000), row()]
    _, parsed = _rows(tmp_path, csv_bytes(rows))
    assert len(parsed) == 3
    (error,) = parsed[1].errors
    assert error.code == "ROW-CSV"
    assert error.message.startswith("row 2: has a value over 131072 characters")
    assert parsed[0].errors == () and parsed[2].errors == ()
    assert parsed[2].values == row()


def test_duplicate_hawbs_that_disagree_are_a_conflict(tmp_path):
    """Two rows of one HAWB, apart in the file, with different consignees conflict
    on consignee_name; blanks on a later row are not a conflict."""
    rows = [
        row(hawb="CN1"),
        row(hawb="CN2"),
        row(hawb="CN1", consignee_name="Jan Peeters", consignee_city=""),
    ]
    _, parsed = _rows(tmp_path, csv_bytes(rows))
    same = [p for p in parsed if p.values["hawb"] == "CN1"]
    assert conflicting_fields(same) == ("consignee_name",)
    assert conflicting_fields([p for p in parsed if p.values["hawb"] == "CN2"]) == ()


def test_conflicting_fields_ignores_item_columns():
    """Lines of one consignment may differ in item columns but not in consignment
    or shipment ones."""
    a = ParsedRow(1, row())
    b = ParsedRow(2, row(description="Socks", item_value="3.00", currency="USD"))
    c = ParsedRow(3, row(flight_number="CK252"))
    assert conflicting_fields([a, b]) == ("currency",)
    assert conflicting_fields([a, b, c]) == ("flight_number", "currency")
    assert "hawb" in consignment_fields() and "mawb" in consignment_fields()
    assert "description" not in consignment_fields()


# --- Formula-like cells ---------------------------------------------------------


def test_formula_like_cells_are_kept_as_text(tmp_path):
    """Cells starting with = + - @ are data: kept unchanged, never evaluated; a
    negative amount is still a number."""
    rows = [
        row(
            description='=HYPERLINK("http://evil.example","Click")',
            consignee_name="@SUM(1+1)*cmd|' /C calc'!A0",
            product_id="+cmd",
            currency="=1+1",
            hs_code="-610910",
            transport_cost="-5",
        ),
        row(hawb="CN2", item_value="=1+2"),
    ]
    _, parsed = _rows(tmp_path, csv_bytes(rows))
    values = parsed[0].values
    assert values["description"] == '=HYPERLINK("http://evil.example","Click")'
    assert values["consignee_name"] == "@SUM(1+1)*cmd|' /C calc'!A0"
    assert values["product_id"] == "+cmd"
    assert values["currency"] == "=1+1"
    assert values["hs_code"] == "-610910"
    assert values["transport_cost"] == "-5"
    assert parsed[0].errors == ()
    assert [e.code for e in parsed[1].errors] == ["ROW-DECIMAL"]
    assert parsed[1].values["item_value"] == "=1+2"


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd", "'+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("-5", "-5"),
        ("-18.50", "-18.50"),
        ("+32", "+32"),
        ("18.50", "18.50"),
        ("Anne Dupont", "Anne Dupont"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_cell_defuses_formulas_not_numbers(value, exported):
    """Exports prefix formula-like text with a quote; plain numbers stay numbers."""
    assert neutralise_cell(value) == exported


# --- parse_decimal --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [("18.50", "18.50"), (" 0 ", "0"), ("-5", "-5"), (".5", "0.5"), ("12", "12")],
)
def test_parse_decimal_reads_dot_decimals(text, number):
    """Dot decimals, negative numbers and whole numbers are decimals."""
    assert parse_decimal(text) == Decimal(number)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("18,50", "'18,50' uses a comma; write 18.50"),
        ("1,234.56", "uses a comma and a thousands separator; write 1234.56"),
        ("1,234", "write 1.234 if the comma marks the decimals, or 1234 if"),
        ("1 234.50", "has a thousands separator; write 1234.50"),
        ("1.234.567", "has thousands separators; write 1234567"),
        ("EUR 18.50", "write the number alone, e.g. 18.50"),
        ("NaN", "'NaN' is not a number"),
        ("1e3", "'1e3' is not a number"),
        ("", "is empty"),
    ],
)
def test_parse_decimal_says_how_to_write_the_number(text, says):
    """Commas, separators, currencies and words are refused with the fix."""
    with pytest.raises(DecimalError) as caught:
        parse_decimal(text)
    assert says in str(caught.value)


# --- Refused files --------------------------------------------------------------


def test_png_renamed_csv_is_refused(tmp_path):
    """An image named .csv is refused by its content, saying what it looks like."""
    message = _refusal(tmp_path, png_bytes(), "manifest.csv")
    assert message.startswith(
        "manifest.csv is not a CSV or XLSX manifest (it looks like a PNG image)"
    )
    assert "CSV (UTF-8) or Excel (.xlsx)" in message


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "a program (ELF)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old-style Excel"),
        ("mawb,hawb\n".encode("utf-16-le"), "UTF-16 (Unicode) text"),
        ("\ufeffmawb,hawb\n".encode("utf-16"), "UTF-16 (Unicode) text"),
        (bytes(range(256)) * 4, "binary data"),
    ],
)
def test_other_files_are_refused_by_content(tmp_path, data, looks_like):
    """PDFs, photos, programs, old Excel files and UTF-16 text are refused."""
    message = _refusal(tmp_path, data)
    assert "is not a CSV or XLSX manifest" in message
    assert looks_like in message


def test_headerless_csv_is_refused(tmp_path):
    """A CSV whose first row is data is refused, naming the expected columns."""
    text = csv_text([row(), row(hawb="CN2")]).split("\n", 1)[1]
    message = _refusal(tmp_path, text.encode())
    assert "has no recognisable manifest header" in message
    assert "only 0 of the 21 required ones were found" in message
    assert "mawb, flight_number, departure_airport" in message


def test_semicolon_csv_is_refused_with_the_fix(tmp_path):
    """A semicolon-separated CSV (European Excel) is refused, saying to use commas."""
    text = csv_text([row()]).replace(",", ";")
    message = _refusal(tmp_path, text.encode())
    assert "separated by semicolons" in message
    assert "CSV UTF-8 (comma delimited)" in message


def test_missing_required_columns_are_refused(tmp_path):
    """A recognisable header without some required columns is refused, naming them."""
    header = [h for h in HEADER if h not in ("currency", "hs_code")]
    message = _refusal(tmp_path, csv_bytes([row()], header=header))
    assert "is missing required columns currency, hs_code" in message


def test_duplicate_header_column_is_refused(tmp_path):
    """The same column twice makes the file ambiguous: refused."""
    header = [*HEADER, "HAWB"]
    message = _refusal(tmp_path, csv_bytes([row()], header=header, columns=HEADER))
    assert "has the column hawb twice (columns 6 and 33)" in message


def test_oversize_file_is_refused_with_size_and_limit(tmp_path):
    """A file over the limit is refused before it is read, with both sizes."""
    data = csv_bytes([row(hawb=f"CN{n}") for n in range(5000)])
    message = _refusal(tmp_path, data, max_bytes=1024 * 1024)
    assert "is 1.3 MB, over the 1 MB limit" in message


def test_empty_file_is_refused(tmp_path):
    """An empty upload is refused."""
    assert "is empty" in _refusal(tmp_path, b"")


def test_file_in_another_encoding_is_refused(tmp_path):
    """A CSV saved as Windows-1252 (every accented name broken) is refused whole."""
    rows = [row(hawb=f"CN{n}", consignee_city="Liège") for n in range(5)]
    data = csv_text(rows).encode("cp1252")
    message = _refusal(tmp_path, data)
    assert "is not UTF-8 text" in message
    assert "CSV UTF-8" in message


# --- XLSX -----------------------------------------------------------------------


def test_xlsx_numbers_and_dates_become_canonical_text(tmp_path):
    """Numbers lose float noise (18.0 is 18, 0.1+0.2 is 0.3), dates are ISO and an
    HS code typed as a number gets back its leading zero."""
    values = row()
    first = dict(values)
    first.update(
        arrival_date=datetime.datetime(2026, 11, 20),
        consignee_postcode=4000,
        gross_mass_kg=0.1 + 0.2,
        quantity=2,
        item_value=18.0,
        net_mass_kg=0.38,
        transport_cost=1e-7,
        hs_code=90111,
        consignee_name="郑州 Müller",
    )
    second = {
        **values,
        "hawb": "CN2",
        "arrival_date": datetime.date(2026, 11, 21),
        "item_value": 1234567.891,
        "hs_code": "610910",
    }
    data = xlsx_bytes([list(first.values()), list(second.values())])
    reader, parsed = _rows(tmp_path, data, "manifest.xlsx")
    assert reader.format == "xlsx"
    assert reader.warnings == ()
    a, b = (p.values for p in parsed)
    assert a["arrival_date"] == "2026-11-20"
    assert a["consignee_postcode"] == "4000"
    assert a["gross_mass_kg"] == "0.3"
    assert a["quantity"] == "2"
    assert a["item_value"] == "18"
    assert a["net_mass_kg"] == "0.38"
    assert a["transport_cost"] == "0.0000001"
    assert a["hs_code"] == "090111"
    assert a["consignee_name"] == "郑州 Müller"
    assert b["arrival_date"] == "2026-11-21"
    assert b["item_value"] == "1234567.891"
    assert [p.errors for p in parsed] == [(), ()]


def test_xlsx_blank_rows_are_skipped_and_counted(tmp_path):
    """Blank sheet rows are skipped; the row numbers still match the sheet."""
    filled = list(row().values())
    data = xlsx_bytes([filled, [None] * 31, [], filled, [None] * 5])
    _, parsed = _rows(tmp_path, data, "manifest.xlsx")
    assert [p.row for p in parsed] == [1, 4]


def test_xlsx_row_errors_and_formula_text(tmp_path):
    """XLSX cells get the same row checks; text starting with = stays text."""
    bad = row(item_value="18,50", description="=1+2")
    data = xlsx_bytes([list(row().values()), list(bad.values())])
    _, parsed = _rows(tmp_path, data, "manifest.xlsx")
    assert parsed[0].errors == ()
    (error,) = parsed[1].errors
    assert error.message == "row 2, item_value: '18,50' uses a comma; write 18.50"
    assert parsed[1].values["description"] == "=1+2"


def test_xlsx_formulas_are_never_evaluated(tmp_path):
    """A formula cell gives the result Excel stored with it, never evaluated here;
    without a stored result (as openpyxl writes) the cell reads as empty."""
    formula = row()
    formula.update(description=Formula('=CONCAT("a","b")'))
    data = xlsx_bytes([list(formula.values())])
    _, parsed = _rows(tmp_path, data, "manifest.xlsx")
    assert parsed[0].values["description"] == ""
    assert [e.code for e in parsed[0].errors] == ["ROW-REQUIRED"]


def test_xlsx_named_csv_is_read_with_a_warning(tmp_path):
    """The type comes from the content: an XLSX named .csv is read, with a note."""
    data = xlsx_bytes([list(row().values())])
    reader, parsed = _rows(tmp_path, data, "manifest.csv")
    assert reader.format == "xlsx"
    assert "named .csv but is an Excel workbook" in reader.warnings[0]
    assert parsed[0].values == row()


def test_headerless_xlsx_is_refused(tmp_path):
    """A workbook whose first row is data is refused like a header-less CSV."""
    data = xlsx_bytes([list(row().values())], header=list(row().values()))
    assert "no recognisable manifest header" in _refusal(tmp_path, data, "m.xlsx")


def test_xlsx_compression_bomb_is_refused_without_inflating(tmp_path):
    """A member compressed over 100:1 into many MB is refused from the directory."""
    data = xlsx_ratio_bomb(megabytes=20)
    assert len(data) < 1024 * 1024
    message = _refusal(tmp_path, data, "manifest.xlsx")
    assert "is compressed more than 100 to 1 (xl/worksheets/sheet1.xml)" in message


def test_xlsx_declaring_gigabytes_is_refused(tmp_path):
    """A zip whose directory says it unpacks to 4 GB is refused before opening."""
    message = _refusal(tmp_path, xlsx_declaring_huge_member(), "manifest.xlsx")
    assert "would unpack to 4096 MB, over the 500 MB we open" in message


def test_zip_with_thousands_of_members_is_refused(tmp_path):
    """A workbook holding thousands of files is refused as unsafe."""
    message = _refusal(tmp_path, zip_with_members(2500), "manifest.xlsx")
    assert "holds 2501 files" in message


def test_xlsx_with_a_dtd_is_refused(tmp_path):
    """A workbook part declaring entities (an XXE attempt) is refused unread."""
    message = _refusal(tmp_path, xlsx_with_doctype(), "manifest.xlsx")
    assert "could not be opened as an Excel workbook" in message or "damaged" in message


def test_xlsm_is_refused(tmp_path):
    """A macro-enabled workbook is refused, even named .xlsx."""
    message = _refusal(tmp_path, xlsm_bytes(), "manifest.xlsx")
    assert "is a macro-enabled workbook (.xlsm)" in message


def test_word_document_is_refused(tmp_path):
    """A zip that is not a workbook (a Word document) is not a manifest."""
    message = _refusal(tmp_path, docx_bytes(), "manifest.xlsx")
    assert "(it looks like a Word document)" in message


def test_damaged_xlsx_is_refused(tmp_path):
    """A workbook cut short is refused as damaged."""
    data = xlsx_bytes([list(row().values())])
    assert "damaged" in _refusal(tmp_path, data[: len(data) // 2], "manifest.xlsx")


# --- Scale ----------------------------------------------------------------------


@pytest.mark.slow
def test_large_csv_is_read_completely(tmp_path, capsys):
    """A 100,000-consignment (150,000-row) manifest is read in full, every row
    clean; the rate is printed, not asserted (performance lives in benchmarks)."""
    path = tmp_path / "large.csv"
    written = large_csv(str(path), 100_000)
    started = time.perf_counter()
    with open_manifest(path=path, filename="large.csv", max_bytes=10**9) as reader:
        count = errors = 0
        hawbs = set()
        for parsed in reader:
            count += 1
            errors += bool(parsed.errors)
            hawbs.add(parsed.values["hawb"])
    elapsed = time.perf_counter() - started
    assert written == count == 150_000
    assert errors == 0
    assert len(hawbs) == 100_000
    with capsys.disabled():
        print(f"\n{count} CSV rows in {elapsed:.2f}s: {count / elapsed:,.0f} rows/s")


def test_memory_stays_flat_as_the_file_grows(tmp_path):
    """Reading four times more rows does not take much more memory."""

    def peak(consignments: int) -> int:
        path = tmp_path / f"m{consignments}.csv"
        large_csv(str(path), consignments)
        tracemalloc.start()
        try:
            with open_manifest(path=path, filename="m.csv", max_bytes=10**9) as r:
                for _ in r:
                    pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(10_000), peak(40_000)
    assert large < small * 1.5 + 1024 * 1024
    assert large < 8 * 1024 * 1024
