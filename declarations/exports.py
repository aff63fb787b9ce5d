"""The declarations list as CSV (streamed) or XLSX (bounded), safe to open in a
spreadsheet: text that a spreadsheet would run as a formula is neutralised."""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from declarations.models import Declaration, Status
from shipments.manifest_parsing import neutralise_cell

# An XLSX file is built in memory: beyond this many rows, the user is asked to
# narrow the filters or take the CSV, which streams.
XLSX_ROW_LIMIT = 20_000
# Rows read from the database per round trip while streaming.
CHUNK = 2_000

COLUMNS = (
    ("lrn", gettext_lazy("LRN")),
    ("type", gettext_lazy("Type")),
    ("status", gettext_lazy("Status")),
    ("mrn", gettext_lazy("MRN")),
    ("consignment__shipment__mawb", gettext_lazy("Master AWB")),
    ("consignment__hawb", gettext_lazy("House AWB")),
    ("consignment__consignor_name", gettext_lazy("Consignor")),
    ("consignment__consignor_country", gettext_lazy("Consignor country")),
    ("consignment__consignee_name", gettext_lazy("Consignee")),
    ("consignment__consignee_country", gettext_lazy("Consignee country")),
    ("consignment__currency", gettext_lazy("Currency")),
    ("intrinsic_value_eur", gettext_lazy("Intrinsic value (EUR)")),
    ("customs_duty_eur", gettext_lazy("Duty (EUR)")),
    ("import_vat_eur", gettext_lazy("Import VAT (EUR)")),
    ("total_due_eur", gettext_lazy("Total due at clearance (EUR)")),
    ("created_at", gettext_lazy("Created")),
    ("submitted_at", gettext_lazy("Submitted")),
)


def _headers() -> list[str]:
    return [str(label) for _name, label in COLUMNS]


def _rows(declarations: QuerySet[Declaration]) -> Iterator[list]:
    """One list of cell values per declaration: text neutralised, amounts as
    Decimal, times as local 'YYYY-MM-DD HH:MM'."""
    statuses = dict(Status.choices)
    names = [name for name, _label in COLUMNS]
    for values in declarations.values_list(*names).iterator(chunk_size=CHUNK):
        row = []
        for name, value in zip(names, values, strict=True):
            if name == "status":
                value = str(statuses.get(value, value))
            if value is None:
                row.append("")
            elif isinstance(value, Decimal):
                row.append(value)
            elif hasattr(value, "tzinfo"):
                row.append(timezone.localtime(value).strftime("%Y-%m-%d %H:%M"))
            else:
                # Control characters (e.g. a pasted vertical tab) cannot be
                # stored in an XLSX cell: they are dropped from both formats.
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                row.append(neutralise_cell(text))
        yield row


class _Echo:
    """A file-like object whose write returns the line, for streaming csv."""

    def write(self, value: str) -> str:
        return value


def csv_lines(declarations: QuerySet[Declaration]) -> Iterable[str]:
    """The CSV text line by line (UTF-8 with a BOM so spreadsheets read accents)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(_headers())
    for row in _rows(declarations):
        yield writer.writerow(row)


def xlsx_bytes(declarations: QuerySet[Declaration]) -> bytes:
    """The list as an XLSX workbook; the caller keeps it under XLSX_ROW_LIMIT."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Declarations"))
    sheet.append(_headers())
    for row in _rows(declarations[:XLSX_ROW_LIMIT]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
