"""The PDF of the largest declaration the portal allows (its time: bench/pdf.py)."""

import io

import pytest
from pypdf import PdfReader

from declarations import pdf
from declarations.models import MAX_GOODS_ITEMS
from tests.declarations.factories import make_declaration, service_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def largest_declaration(organisation):
    item = service_data()["items"][0]
    items = [
        item | {"description": f"Cotton T-shirt for men, size {n % 7}, batch {n}"}
        for n in range(MAX_GOODS_ITEMS)
    ]
    return make_declaration(organisation=organisation, items=items, submit=True)


def test_pdf_of_a_999_item_declaration_lists_every_item(shipper):
    pytest.importorskip("weasyprint")
    declaration = largest_declaration(shipper)
    assert declaration.items.count() == MAX_GOODS_ITEMS
    content = pdf.pdf_from_html(pdf.declaration_html(declaration))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "batch 0" in text
    assert f"{MAX_GOODS_ITEMS}. Cotton T-shirt for men" in text
    assert f"batch {MAX_GOODS_ITEMS - 1}" in text
